/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t_robust.c - what the fuzzers found, kept as plain unit tests: messages
 *		that quote a caller's string stay one printable line, and a
 *		params.size that ends inside a member is refused
 */
#include <errno.h>
#include <stddef.h>

#include "check.h"
#include "squibnet.h"

static char logged[1024];

static void keep_log(void *opaque, enum sqn_log_level level, const char *msg)
{
	(void)opaque;
	(void)level;
	snprintf(logged, sizeof(logged), "%s", msg);
}

static int printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static void control_chars_in_messages(void)
{
	struct sqn_iface *iface = NULL;
	struct sqn_params p;
	char err[256];

	sqn_params_init(&p);
	p.iface_id = "eth0\nsqn: forged line\x1b[2J";
	p.mode = SQN_MODE_LOOPBACK;
	p.log = keep_log;
	p.log_level = SQN_LOG_DEBUG;
	CHECK_EQ(sqn_iface_start(&p, &iface, err, sizeof(err)), -EINVAL);
	CHECK(iface == NULL);
	printf("# message: %s\n", err);
	CHECK_STR_HAS(err, "iface_id");
	CHECK(printable(err));
	CHECK_STR_HAS(logged, "iface_id");
	CHECK(printable(logged));
}

static void size_cutting_a_member(void)
{
	struct sqn_iface *iface = NULL;
	struct sqn_params p;
	char err[256];

	sqn_params_init(&p);
	p.iface_id = "eth0";
	p.mode = SQN_MODE_LOOPBACK;
	/* ends half-way through the log callback pointer */
	p.size = (uint32_t)(offsetof(struct sqn_params, log) + 3);
	CHECK_EQ(sqn_iface_start(&p, &iface, err, sizeof(err)), -EINVAL);
	CHECK(iface == NULL);
	CHECK_STR_HAS(err, "params.size is");
	/* a struct that ends after a member (an older caller) still works */
	p.size = (uint32_t)offsetof(struct sqn_params, log);
	CHECK_EQ(sqn_iface_start(&p, &iface, err, sizeof(err)), 0);
	sqn_iface_free(iface);
}

static const struct check_case cases[] = {
	CASE(control_chars_in_messages),
	CASE(size_cutting_a_member),
};
CHECK_MAIN(cases)
