/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dispatch/dispatch.h - simulated libdispatch: the subset be_vmnet.c uses
 *
 * For Linux tests only, never installed. Names, types and signatures are
 * those of Apple's C API without Objective-C (OS_OBJECT_USE_OBJC == 0):
 * objects are pointers to opaque structs, dispatch_object_t is a transparent
 * union, retain and release are explicit. A queue is serial: one thread runs
 * its blocks in order. Times are CLOCK_MONOTONIC nanoseconds.
 */
#ifndef SQN_SIM_DISPATCH_H
#define SQN_SIM_DISPATCH_H

#include <stdint.h>

#ifndef __BLOCKS__
#error "the simulated libdispatch needs Blocks: compile with clang -fblocks"
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef uint64_t dispatch_time_t;
#define DISPATCH_TIME_NOW (0ull)
#define DISPATCH_TIME_FOREVER (~0ull)

#define NSEC_PER_SEC 1000000000ull
#define NSEC_PER_MSEC 1000000ull
#define USEC_PER_SEC 1000000ull
#define NSEC_PER_USEC 1000ull

typedef struct dispatch_queue_s *dispatch_queue_t;
typedef struct dispatch_queue_attr_s *dispatch_queue_attr_t;
typedef struct dispatch_semaphore_s *dispatch_semaphore_t;

typedef union {
	struct dispatch_object_s *_do;
	struct dispatch_queue_s *_dq;
	struct dispatch_queue_attr_s *_dqa;
	struct dispatch_semaphore_s *_dsema;
} dispatch_object_t __attribute__((__transparent_union__));

#define DISPATCH_QUEUE_SERIAL NULL

typedef void (^dispatch_block_t)(void);

void dispatch_retain(dispatch_object_t object);
void dispatch_release(dispatch_object_t object);

dispatch_queue_t dispatch_queue_create(const char *label,
				       dispatch_queue_attr_t attr);
void dispatch_async(dispatch_queue_t queue, dispatch_block_t block);
void dispatch_sync(dispatch_queue_t queue, dispatch_block_t block);
void dispatch_after(dispatch_time_t when, dispatch_queue_t queue,
		    dispatch_block_t block);

dispatch_semaphore_t dispatch_semaphore_create(intptr_t value);
intptr_t dispatch_semaphore_wait(dispatch_semaphore_t dsema,
				 dispatch_time_t timeout);
intptr_t dispatch_semaphore_signal(dispatch_semaphore_t dsema);

dispatch_time_t dispatch_time(dispatch_time_t when, int64_t delta);

#ifdef __cplusplus
}
#endif

#endif /* SQN_SIM_DISPATCH_H */
