/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t_ids.c - MAC parse/format/generate, iface_id rules, TAP names
 */
#include <errno.h>

#include "check.h"
#include "internal.h"

static void mac_parse_good(void)
{
	uint8_t m[6];
	char buf[18];

	CHECK_EQ(sqn_mac_parse("06:00:AB:cd:Ef:01", m), 0);
	CHECK_EQ(m[0], 0x06);
	CHECK_EQ(m[2], 0xab);
	CHECK_EQ(m[5], 0x01);
	CHECK(!strcmp(sqn_mac_format(m, buf), "06:00:ab:cd:ef:01"));
	CHECK_EQ(sqn_mac_parse("ff:ff:ff:ff:ff:ff", m), 0);
}

static void mac_parse_bad(void)
{
	static const char *const bad[] = {
		"06:00:ab:cd:ef",	/* five octets */
		"06:00:ab:cd:ef:01:02", /* seven */
		"6:00:ab:cd:ef:01",	/* one digit */
		"06:00:ab:cd:ef:1",	/* one digit last */
		"06-00-ab-cd-ef-01",	/* wrong separator */
		"06:00:ab:cd:ef:0g",	/* not hex */
		"06:00:ab:cd:ef:01 ",	/* trailing space */
		" 06:00:ab:cd:ef:01",	/* leading space */
		"",
		"060:0ab:cd:ef:01",
	};
	uint8_t m[6] = {1, 2, 3, 4, 5, 6};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (sqn_mac_parse(bad[i], m) != -EINVAL)
			printf("# accepted \"%s\"\n", bad[i]);
		CHECK_EQ(sqn_mac_parse(bad[i], m), -EINVAL);
	}
	CHECK_EQ(sqn_mac_parse(NULL, m), -EINVAL);
	CHECK_EQ(m[0], 1); /* untouched on failure */
}

static void mac_generate(void)
{
	uint8_t a[6], b[6];

	CHECK_EQ(sqn_mac_generate(a), 0);
	CHECK_EQ(sqn_mac_generate(b), 0);
	CHECK_EQ(a[0], 0x06);
	CHECK_EQ(a[1], 0x00);
	CHECK(a[0] & 0x02);    /* locally administered */
	CHECK(!(a[0] & 0x01)); /* unicast */
	CHECK(memcmp(a, b, 6) != 0);
}

static void iface_id_rules(void)
{
	char id[70];

	CHECK(sqn_iface_id_valid("eth0"));
	CHECK(sqn_iface_id_valid("A_z_9"));
	CHECK(!sqn_iface_id_valid(""));
	CHECK(!sqn_iface_id_valid(NULL));
	CHECK(!sqn_iface_id_valid("eth 0"));
	CHECK(!sqn_iface_id_valid("eth-0"));
	CHECK(!sqn_iface_id_valid("eth0\n"));
	memset(id, 'a', 64);
	id[64] = '\0';
	CHECK(sqn_iface_id_valid(id));
	id[64] = 'a';
	id[65] = '\0';
	CHECK(!sqn_iface_id_valid(id));
}

static void tap_names(void)
{
	char a[16], b[16], id[70];
	int i, j;

	CHECK_EQ(sqn_tap_name("eth0", a, sizeof(a)), 0);
	CHECK(!strcmp(a, "squib-tap-eth0"));
	CHECK_EQ(sqn_tap_name("eth01", a, sizeof(a)), 0);
	CHECK(!strcmp(a, "squib-tap-eth01")); /* 15 bytes: fits exactly */
	CHECK_EQ(sqn_tap_name("eth012", a, sizeof(a)), 0);
	CHECK_EQ(strlen(a), 15);
	CHECK(!strncmp(a, "squib-", 6));
	CHECK_EQ(sqn_tap_name("eth012", b, sizeof(b)), 0);
	CHECK(!strcmp(a, b)); /* deterministic */
	CHECK_EQ(sqn_tap_name("bad id", a, sizeof(a)), -EINVAL);
	CHECK_EQ(sqn_tap_name("eth0", a, 8), -ENOSPC);

	/* no collisions among many similar long ids */
	for (i = 0; i < 2000; i++) {
		snprintf(id, sizeof(id), "interface_%d", i);
		CHECK_EQ(sqn_tap_name(id, a, sizeof(a)), 0);
		CHECK(strlen(a) <= 15);
		for (j = i + 1; j < i + 50; j++) {
			snprintf(id, sizeof(id), "interface_%d", j);
			sqn_tap_name(id, b, sizeof(b));
			if (!strcmp(a, b)) {
				printf("# collision %d %d: %s\n", i, j, a);
				CHECK(0);
			}
		}
	}
}

static const struct check_case cases[] = {
	CASE(mac_parse_good), CASE(mac_parse_bad), CASE(mac_generate),
	CASE(iface_id_rules), CASE(tap_names),
};
CHECK_MAIN(cases)
