/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rate_opt.c - a rate limiter as the command line spells it (--rx-rate,
 *		--tx-rate), pure
 *
 * SPEC is KEY=VALUE pairs separated by commas:
 *   bytes=N	  the bandwidth bucket: N bytes per refill time
 *   burst=N	  its one-time burst, bytes spent first
 *   ops=N	  the ops bucket: N frames per refill time
 *   ops-burst=N  its one-time burst, frames
 *   refill=MS	  both buckets' refill time in ms (default 1000, so bytes
 *		  and ops are per second)
 * N is a decimal integer, optionally followed by k, M, G (10^3, 10^6,
 * 10^9) or Ki, Mi, Gi (2^10, 2^20, 2^30). At least bytes or ops. 100
 * Mbit/s is bytes=12500000 (or 12500k); with refill=100, bytes=1250000
 * gives the same rate with a ten times smaller bucket (it starts full).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "opts.h"

#define FAIL(...)                                                              \
	do {                                                                   \
		snprintf(err, errlen, __VA_ARGS__);                            \
		return -EINVAL;                                                \
	} while (0)

/* longest refill time accepted: a day (the library takes up to 584 years) */
#define RATE_REFILL_MAX_MS 86400000ULL

/**
 * parse_count() - N with an optional k/M/G/Ki/Mi/Gi suffix
 * @s:		the text
 * @n:		its length
 * @out:	gets the value
 *
 * Return: 0, or -EINVAL (not a number, unknown suffix, over 2^63)
 */
static int parse_count(const char *s, size_t n, uint64_t *out)
{
	static const struct {
		const char *suffix;
		uint64_t mul;
	} units[] = {
		{"", 1},
		{"k", 1000ULL},
		{"M", 1000000ULL},
		{"G", 1000000000ULL},
		{"Ki", 1ULL << 10},
		{"Mi", 1ULL << 20},
		{"Gi", 1ULL << 30},
	};
	uint64_t v = 0;
	size_t i = 0, u;

	if (!n || s[0] < '0' || s[0] > '9')
		return -EINVAL;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		if (v > (INT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	for (u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
		if (strlen(units[u].suffix) != n - i ||
		    strncmp(s + i, units[u].suffix, n - i) != 0)
			continue;
		if (v > INT64_MAX / units[u].mul)
			return -EINVAL;
		*out = v * units[u].mul;
		return 0;
	}
	return -EINVAL;
}

/* the keys of SPEC, in the order of the values parse_pairs() fills */
static const char *const rate_keys[] = {"bytes", "burst", "ops", "ops-burst",
					"refill"};
#define RATE_NKEYS (sizeof(rate_keys) / sizeof(rate_keys[0]))

/**
 * parse_pairs() - SPEC's KEY=VALUE pairs
 * @opt:	the option's name, for messages
 * @v:		the SPEC, not empty
 * @val:	gets each key's value, in rate_keys[]'s order
 * @seen:	gets bit k set for rate_keys[k] given
 * @err:	gets what is wrong
 * @errlen:	its size
 *
 * Return: 0 or -EINVAL
 */
static int parse_pairs(const char *opt, const char *v, uint64_t *val,
		       unsigned *seen, char *err, size_t errlen)
{
	const char *p = v, *end, *eq;
	unsigned k;

	while (*p) {
		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (!eq)
			FAIL("%s '%s': '%.*s' is not KEY=VALUE (keys: bytes, "
			     "burst, ops, ops-burst, refill)",
			     opt, v, (int)(end - p), p);
		for (k = 0; k < RATE_NKEYS; k++)
			if (strlen(rate_keys[k]) == (size_t)(eq - p) &&
			    !strncmp(p, rate_keys[k], (size_t)(eq - p)))
				break;
		if (k == RATE_NKEYS)
			FAIL("%s '%s': unknown key '%.*s': use bytes, burst, "
			     "ops, ops-burst or refill",
			     opt, v, (int)(eq - p), p);
		if (*seen & (1u << k))
			FAIL("%s '%s': %s is given twice", opt, v,
			     rate_keys[k]);
		*seen |= 1u << k;
		if (parse_count(eq + 1, (size_t)(end - eq - 1), &val[k]))
			FAIL("%s '%s': %s '%.*s' is not a number (N, or N "
			     "with k, M, G, Ki, Mi or Gi)",
			     opt, v, rate_keys[k], (int)(end - eq - 1), eq + 1);
		p = *end ? end + 1 : end;
		if (*end && !*p)
			FAIL("%s '%s' ends with a comma", opt, v);
	}
	return 0;
}

/**
 * cli_rate_parse() - a rate limiter from SPEC
 * @opt:	the option's name, for messages ("--tx-rate")
 * @v:		the SPEC
 * @l:		gets the limiter: the buckets named, refill on both
 * @err:	gets what is wrong, naming the option, the key and the value
 * @errlen:	its size
 *
 * Return: 0 or -EINVAL
 */
int cli_rate_parse(const char *opt, const char *v, struct sqn_rate_limiter *l,
		   char *err, size_t errlen)
{
	uint64_t val[RATE_NKEYS] = {0, 0, 0, 0, 1000};
	unsigned seen = 0;

	if (!*v)
		FAIL("%s '' is empty: give bytes=N and/or ops=N, and "
		     "optionally burst=N, ops-burst=N, refill=MS",
		     opt);
	if (parse_pairs(opt, v, val, &seen, err, errlen))
		return -EINVAL;
	if (!(seen & ((1u << 0) | (1u << 2))))
		FAIL("%s '%s' limits nothing: give bytes=N (bytes per refill) "
		     "and/or ops=N (frames per refill)",
		     opt, v);
	if (!val[0] && (seen & 1u))
		FAIL("%s '%s': bytes=0 would limit nothing: leave it out", opt,
		     v);
	if (!val[2] && (seen & 4u))
		FAIL("%s '%s': ops=0 would limit nothing: leave it out", opt,
		     v);
	if ((seen & 2u) && !(seen & 1u))
		FAIL("%s '%s': burst= is the bytes bucket's: give bytes= too",
		     opt, v);
	if ((seen & 8u) && !(seen & 4u))
		FAIL("%s '%s': ops-burst= is the ops bucket's: give ops= too",
		     opt, v);
	if (val[4] < 1 || val[4] > RATE_REFILL_MAX_MS)
		FAIL("%s '%s': refill=%llu: use 1 to %llu ms", opt, v,
		     (unsigned long long)val[4], RATE_REFILL_MAX_MS);
	memset(l, 0, sizeof(*l));
	if (val[0])
		l->bandwidth = (struct sqn_bucket){.size = val[0],
						   .one_time_burst = val[1],
						   .refill_time_ms = val[4]};
	if (val[2])
		l->ops = (struct sqn_bucket){.size = val[2],
					     .one_time_burst = val[3],
					     .refill_time_ms = val[4]};
	return 0;
}
