/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim_dispatch.c - simulated libdispatch and XPC dictionaries (tests only)
 *
 * Theory of operation: a dispatch queue is one thread that runs the blocks
 * given to dispatch_async() in order, which is what a serial queue promises.
 * Blocks are copied with Block_copy() when queued and released after they
 * ran. Objects are reference counted as in Apple's C API: a queue lives
 * until its last reference is gone and its pending blocks have run, then its
 * thread frees it. A semaphore is a counter under a mutex with a condition
 * variable on CLOCK_MONOTONIC, which is also the clock dispatch_time() uses.
 * dispatch_after() is a thread of its own that sleeps until the time, then
 * queues the block (the queue is retained meanwhile, as libdispatch does).
 * XPC dictionaries hold only the value types be_vmnet.c and the simulated
 * vmnet use: uint64, bool, string, uuid.
 */
#include <Block.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dispatch/dispatch.h>
#include <xpc/xpc.h>

enum sim_obj_type {
	SIM_OBJ_QUEUE = 1,
	SIM_OBJ_SEMAPHORE,
};

/**
 * struct dispatch_object_s - what every simulated dispatch object starts with
 * @type:	enum sim_obj_type
 * @lock:	guards @refs and the object's own state
 * @refs:	references
 */
struct dispatch_object_s {
	int type;
	pthread_mutex_t lock;
	int refs;
};

/**
 * struct sim_work - one queued block
 * @block:	the copied block
 * @next:	next in the queue
 */
struct sim_work {
	dispatch_block_t block;
	struct sim_work *next;
};

/**
 * struct dispatch_queue_s - a serial queue
 * @obj:	common part
 * @cond:	signalled when work arrives or the last reference goes
 * @head:	first block to run
 * @tail:	last block queued
 * @thread:	the thread running the blocks
 * @label:	the label given at creation
 */
struct dispatch_queue_s {
	struct dispatch_object_s obj;
	pthread_cond_t cond;
	struct sim_work *head, *tail;
	pthread_t thread;
	char label[64];
};

/**
 * struct dispatch_semaphore_s - a counting semaphore
 * @obj:	common part
 * @cond:	signalled on dispatch_semaphore_signal()
 * @value:	the count
 * @waiters:	threads waiting
 */
struct dispatch_semaphore_s {
	struct dispatch_object_s obj;
	pthread_cond_t cond;
	long value;
	int waiters;
};

/**
 * sim_now_ns() - CLOCK_MONOTONIC in nanoseconds
 *
 * Return: the time
 */
static uint64_t sim_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

dispatch_time_t dispatch_time(dispatch_time_t when, int64_t delta)
{
	uint64_t base;

	if (when == DISPATCH_TIME_FOREVER)
		return DISPATCH_TIME_FOREVER;
	base = when == DISPATCH_TIME_NOW ? sim_now_ns() : when;
	if (delta < 0)
		return (uint64_t)-delta >= base ? 1 : base - (uint64_t)-delta;
	if (base + (uint64_t)delta < base ||
	    base + (uint64_t)delta == DISPATCH_TIME_FOREVER)
		return DISPATCH_TIME_FOREVER - 1;
	return base + (uint64_t)delta;
}

/**
 * sim_cond_init() - a condition variable on CLOCK_MONOTONIC
 * @c:	the variable
 */
static void sim_cond_init(pthread_cond_t *c)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(c, &a);
	pthread_condattr_destroy(&a);
}

/**
 * sim_queue_main() - a queue's thread: run blocks in order until released
 * @arg:	the queue
 *
 * Return: NULL
 */
static void *sim_queue_main(void *arg)
{
	struct dispatch_queue_s *q = arg;
	struct sim_work *w;

	pthread_mutex_lock(&q->obj.lock);
	for (;;) {
		while (!q->head && q->obj.refs > 0)
			pthread_cond_wait(&q->cond, &q->obj.lock);
		if (!q->head)
			break;
		w = q->head;
		q->head = w->next;
		if (!q->head)
			q->tail = NULL;
		pthread_mutex_unlock(&q->obj.lock);
		w->block();
		Block_release(w->block);
		free(w);
		pthread_mutex_lock(&q->obj.lock);
	}
	pthread_mutex_unlock(&q->obj.lock);
	pthread_cond_destroy(&q->cond);
	pthread_mutex_destroy(&q->obj.lock);
	free(q);
	return NULL;
}

dispatch_queue_t dispatch_queue_create(const char *label,
				       dispatch_queue_attr_t attr)
{
	struct dispatch_queue_s *q = calloc(1, sizeof(*q));

	(void)attr; /* only serial queues are simulated */
	if (!q)
		return NULL;
	q->obj.type = SIM_OBJ_QUEUE;
	q->obj.refs = 1;
	pthread_mutex_init(&q->obj.lock, NULL);
	sim_cond_init(&q->cond);
	snprintf(q->label, sizeof(q->label), "%s", label ? label : "");
	if (pthread_create(&q->thread, NULL, sim_queue_main, q)) {
		pthread_cond_destroy(&q->cond);
		pthread_mutex_destroy(&q->obj.lock);
		free(q);
		return NULL;
	}
	pthread_detach(q->thread);
	return q;
}

void dispatch_async(dispatch_queue_t q, dispatch_block_t block)
{
	struct sim_work *w = malloc(sizeof(*w));

	if (!w) {
		fprintf(stderr, "vmnet-sim: dispatch_async: out of memory\n");
		abort();
	}
	w->block = Block_copy(block);
	w->next = NULL;
	pthread_mutex_lock(&q->obj.lock);
	if (q->tail)
		q->tail->next = w;
	else
		q->head = w;
	q->tail = w;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->obj.lock);
}

void dispatch_sync(dispatch_queue_t q, dispatch_block_t block)
{
	dispatch_semaphore_t done = dispatch_semaphore_create(0);

	if (pthread_equal(pthread_self(), q->thread)) {
		/* libdispatch crashes here too: it would never return */
		fprintf(stderr, "vmnet-sim: dispatch_sync on the current "
				"queue deadlocks\n");
		abort();
	}
	dispatch_async(q, ^{
	  block();
	  dispatch_semaphore_signal(done);
	});
	dispatch_semaphore_wait(done, DISPATCH_TIME_FOREVER);
	dispatch_release(done);
}

/**
 * struct sim_after - one dispatch_after() in flight
 * @when:	dispatch_time() to queue the block at
 * @queue:	the queue, retained
 * @block:	the block, copied
 */
struct sim_after {
	dispatch_time_t when;
	dispatch_queue_t queue;
	dispatch_block_t block;
};

/**
 * sim_after_main() - a dispatch_after() thread: sleep, queue, go
 * @arg:	the struct sim_after, freed
 *
 * Return: NULL
 */
static void *sim_after_main(void *arg)
{
	struct sim_after *a = arg;
	struct timespec ts = {
		.tv_sec = (time_t)(a->when / NSEC_PER_SEC),
		.tv_nsec = (long)(a->when % NSEC_PER_SEC),
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		;
	dispatch_async(a->queue, a->block);
	Block_release(a->block);
	dispatch_release(a->queue);
	free(a);
	return NULL;
}

void dispatch_after(dispatch_time_t when, dispatch_queue_t queue,
		    dispatch_block_t block)
{
	struct sim_after *a;
	pthread_t t;

	if (when == DISPATCH_TIME_FOREVER)
		return; /* never: libdispatch does not run it either */
	a = malloc(sizeof(*a));
	if (!a) {
		fprintf(stderr, "vmnet-sim: dispatch_after: out of memory\n");
		abort();
	}
	a->when = when == DISPATCH_TIME_NOW ? dispatch_time(when, 0) : when;
	a->queue = queue;
	a->block = Block_copy(block);
	dispatch_retain(queue);
	if (pthread_create(&t, NULL, sim_after_main, a)) {
		fprintf(stderr, "vmnet-sim: dispatch_after: no thread\n");
		abort();
	}
	pthread_detach(t);
}

dispatch_semaphore_t dispatch_semaphore_create(intptr_t value)
{
	struct dispatch_semaphore_s *s;

	if (value < 0)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->obj.type = SIM_OBJ_SEMAPHORE;
	s->obj.refs = 1;
	pthread_mutex_init(&s->obj.lock, NULL);
	sim_cond_init(&s->cond);
	s->value = value;
	return s;
}

intptr_t dispatch_semaphore_wait(dispatch_semaphore_t s,
				 dispatch_time_t timeout)
{
	struct timespec ts;
	int rc = 0;

	ts.tv_sec = (time_t)(timeout / NSEC_PER_SEC);
	ts.tv_nsec = (long)(timeout % NSEC_PER_SEC);
	pthread_mutex_lock(&s->obj.lock);
	s->waiters++;
	while (s->value <= 0 && rc != ETIMEDOUT) {
		if (timeout == DISPATCH_TIME_FOREVER)
			pthread_cond_wait(&s->cond, &s->obj.lock);
		else if (timeout == DISPATCH_TIME_NOW)
			rc = ETIMEDOUT;
		else
			rc = pthread_cond_timedwait(&s->cond, &s->obj.lock,
						    &ts);
	}
	s->waiters--;
	if (s->value > 0) {
		s->value--;
		rc = 0;
	}
	pthread_mutex_unlock(&s->obj.lock);
	return rc ? 1 : 0;
}

intptr_t dispatch_semaphore_signal(dispatch_semaphore_t s)
{
	int woke;

	pthread_mutex_lock(&s->obj.lock);
	s->value++;
	woke = s->waiters > 0;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->obj.lock);
	return woke;
}

void dispatch_retain(dispatch_object_t object)
{
	struct dispatch_object_s *o = object._do;

	pthread_mutex_lock(&o->lock);
	o->refs++;
	pthread_mutex_unlock(&o->lock);
}

void dispatch_release(dispatch_object_t object)
{
	struct dispatch_object_s *o = object._do;
	int refs;

	pthread_mutex_lock(&o->lock);
	refs = --o->refs;
	if (refs < 0) {
		fprintf(stderr, "vmnet-sim: dispatch object over-released\n");
		abort();
	}
	if (o->type == SIM_OBJ_QUEUE) {
		/* the queue's thread frees it once its blocks have run */
		pthread_cond_signal(&((struct dispatch_queue_s *)o)->cond);
		pthread_mutex_unlock(&o->lock);
		return;
	}
	pthread_mutex_unlock(&o->lock);
	if (refs == 0) {
		struct dispatch_semaphore_s *s = (void *)o;

		pthread_cond_destroy(&s->cond);
		pthread_mutex_destroy(&s->obj.lock);
		free(s);
	}
}

/* ---- XPC dictionaries ---- */

#define SIM_XPC_MAGIC 0x78706364u
#define SIM_XPC_KEYS 32

enum sim_xtype {
	SIM_X_U64 = 1,
	SIM_X_BOOL,
	SIM_X_STRING,
	SIM_X_UUID,
};

/**
 * struct sim_xentry - one key and its value
 * @key:	the key, copied
 * @type:	enum sim_xtype
 * @u:		uint64 or bool value
 * @s:		string value, copied
 * @uuid:	uuid value
 */
struct sim_xentry {
	char *key;
	int type;
	uint64_t u;
	char *s;
	uint8_t uuid[16];
};

/**
 * struct sim_xdict - a dictionary
 * @magic:	SIM_XPC_MAGIC, to catch a wrong object type
 * @refs:	references
 * @n:		entries used
 * @e:		entries
 */
struct sim_xdict {
	uint32_t magic;
	int refs;
	unsigned n;
	struct sim_xentry e[SIM_XPC_KEYS];
};

static pthread_mutex_t sim_xpc_lock = PTHREAD_MUTEX_INITIALIZER;

/**
 * sim_xdict() - check that @o is a dictionary
 * @o:	the object
 *
 * Return: the dictionary; aborts on anything else (Apple's XPC traps too)
 */
static struct sim_xdict *sim_xdict(xpc_object_t o)
{
	struct sim_xdict *d = o;

	if (!d || d->magic != SIM_XPC_MAGIC) {
		fprintf(stderr, "vmnet-sim: not an XPC dictionary\n");
		abort();
	}
	return d;
}

xpc_object_t xpc_dictionary_create(const char *const *keys,
				   const xpc_object_t *values, size_t count)
{
	struct sim_xdict *d;

	(void)keys;
	(void)values;
	if (count) {
		fprintf(stderr, "vmnet-sim: xpc_dictionary_create with "
				"initial values is not simulated\n");
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->magic = SIM_XPC_MAGIC;
	d->refs = 1;
	return d;
}

/**
 * sim_xslot() - the entry for @key, created (emptied) when @create
 * @d:		the dictionary
 * @key:	the key
 * @create:	make room for a new value
 *
 * Return: the entry, or NULL
 */
static struct sim_xentry *sim_xslot(struct sim_xdict *d, const char *key,
				    int create)
{
	unsigned i;

	for (i = 0; i < d->n; i++) {
		if (!strcmp(d->e[i].key, key)) {
			if (create) {
				free(d->e[i].s);
				d->e[i].s = NULL;
			}
			return &d->e[i];
		}
	}
	if (!create || d->n == SIM_XPC_KEYS)
		return NULL;
	d->e[d->n].key = strdup(key);
	return &d->e[d->n++];
}

void xpc_dictionary_set_uint64(xpc_object_t o, const char *key, uint64_t value)
{
	struct sim_xentry *e = sim_xslot(sim_xdict(o), key, 1);

	if (e) {
		e->type = SIM_X_U64;
		e->u = value;
	}
}

void xpc_dictionary_set_bool(xpc_object_t o, const char *key, bool value)
{
	struct sim_xentry *e = sim_xslot(sim_xdict(o), key, 1);

	if (e) {
		e->type = SIM_X_BOOL;
		e->u = value;
	}
}

void xpc_dictionary_set_string(xpc_object_t o, const char *key,
			       const char *string)
{
	struct sim_xentry *e = sim_xslot(sim_xdict(o), key, 1);

	if (e) {
		e->type = SIM_X_STRING;
		e->s = strdup(string);
	}
}

void xpc_dictionary_set_uuid(xpc_object_t o, const char *key, const uuid_t uuid)
{
	struct sim_xentry *e = sim_xslot(sim_xdict(o), key, 1);

	if (e) {
		e->type = SIM_X_UUID;
		memcpy(e->uuid, uuid, 16);
	}
}

uint64_t xpc_dictionary_get_uint64(xpc_object_t o, const char *key)
{
	struct sim_xentry *e = sim_xslot(sim_xdict(o), key, 0);

	return e && e->type == SIM_X_U64 ? e->u : 0;
}

bool xpc_dictionary_get_bool(xpc_object_t o, const char *key)
{
	struct sim_xentry *e = sim_xslot(sim_xdict(o), key, 0);

	return e && e->type == SIM_X_BOOL ? e->u != 0 : false;
}

const char *xpc_dictionary_get_string(xpc_object_t o, const char *key)
{
	struct sim_xentry *e = sim_xslot(sim_xdict(o), key, 0);

	return e && e->type == SIM_X_STRING ? e->s : NULL;
}

const uint8_t *xpc_dictionary_get_uuid(xpc_object_t o, const char *key)
{
	struct sim_xentry *e = sim_xslot(sim_xdict(o), key, 0);

	return e && e->type == SIM_X_UUID ? e->uuid : NULL;
}

xpc_object_t xpc_dictionary_get_value(xpc_object_t o, const char *key)
{
	/* presence only: the entry stands for the borrowed value */
	return sim_xslot(sim_xdict(o), key, 0);
}

xpc_object_t xpc_retain(xpc_object_t o)
{
	struct sim_xdict *d = sim_xdict(o);

	pthread_mutex_lock(&sim_xpc_lock);
	d->refs++;
	pthread_mutex_unlock(&sim_xpc_lock);
	return o;
}

void xpc_release(xpc_object_t o)
{
	struct sim_xdict *d = sim_xdict(o);
	unsigned i;
	int refs;

	pthread_mutex_lock(&sim_xpc_lock);
	refs = --d->refs;
	pthread_mutex_unlock(&sim_xpc_lock);
	if (refs)
		return;
	for (i = 0; i < d->n; i++) {
		free(d->e[i].key);
		free(d->e[i].s);
	}
	d->magic = 0;
	free(d);
}
