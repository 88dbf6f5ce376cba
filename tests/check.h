/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check.h - a small TAP-emitting test harness
 *
 * A test file lists its cases in a table and calls check_main(). Each case
 * prints "ok N - name" or "not ok N - name"; CHECK() records a failure and
 * goes on, ASSERT() ends the case. SKIP() ends it as skipped, except under
 * CI=true, where a skip is a failure: CI must run everything.
 */
#ifndef SQN_CHECK_H
#define SQN_CHECK_H

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct check_case {
	const char *name;
	void (*fn)(void);
};

#define CASE(fn)                                                               \
	{                                                                      \
#fn, fn                                                        \
	}

static int check_case_failed;
static const char *check_skip_why;
static jmp_buf check_jmp;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			printf("# %s:%d: check failed: %s\n", __FILE__,        \
			       __LINE__, #cond);                               \
			check_case_failed = 1;                                 \
		}                                                              \
	} while (0)

#define ASSERT(cond)                                                           \
	do {                                                                   \
		if (!(cond)) {                                                 \
			printf("# %s:%d: assertion failed: %s\n", __FILE__,    \
			       __LINE__, #cond);                               \
			check_case_failed = 1;                                 \
			longjmp(check_jmp, 1);                                 \
		}                                                              \
	} while (0)

#define CHECK_EQ(a, b)                                                         \
	do {                                                                   \
		long long check_a_ = (long long)(a),                           \
			  check_b_ = (long long)(b);                           \
		if (check_a_ != check_b_) {                                    \
			printf("# %s:%d: %s == %s failed: %lld != %lld\n",     \
			       __FILE__, __LINE__, #a, #b, check_a_,           \
			       check_b_);                                      \
			check_case_failed = 1;                                 \
		}                                                              \
	} while (0)

#define CHECK_STR_HAS(hay, needle)                                             \
	do {                                                                   \
		const char *check_h_ = (hay), *check_n_ = (needle);            \
		if (!check_h_ || !strstr(check_h_, check_n_)) {                \
			printf("# %s:%d: \"%s\" does not contain \"%s\"\n",    \
			       __FILE__, __LINE__,                             \
			       check_h_ ? check_h_ : "(null)", check_n_);      \
			check_case_failed = 1;                                 \
		}                                                              \
	} while (0)

#define SKIP(why)                                                              \
	do {                                                                   \
		check_skip_why = (why);                                        \
		longjmp(check_jmp, 2);                                         \
	} while (0)

/**
 * check_in_ci() - whether CI=true is set (skips become failures)
 *
 * Return: 1 in CI
 */
static inline int check_in_ci(void)
{
	const char *ci = getenv("CI");

	return ci && (!strcmp(ci, "true") || !strcmp(ci, "1"));
}

/**
 * check_main() - run the cases, print TAP, return the exit status
 * @cases:	the table
 * @n:		its size
 *
 * Return: 0 if every case passed (or skipped outside CI), else 1
 */
static inline int check_main(const struct check_case *cases, size_t n)
{
	const char *only = getenv("CHECK_ONLY");
	volatile int failed = 0;
	volatile size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("1..%zu\n", n);
	for (i = 0; i < n; i++) {
		volatile int jumped;

		if (only && strcmp(only, cases[i].name)) {
			printf("ok %zu - %s # SKIP not selected\n", i + 1,
			       cases[i].name);
			continue;
		}
		check_case_failed = 0;
		check_skip_why = NULL;
		jumped = setjmp(check_jmp);
		if (!jumped)
			cases[i].fn();
		if (jumped == 2 && !check_in_ci()) {
			printf("ok %zu - %s # SKIP %s\n", i + 1, cases[i].name,
			       check_skip_why);
			continue;
		}
		if (jumped == 2)
			printf("# skipped under CI=true, which is a failure: "
			       "%s\n",
			       check_skip_why);
		if (check_case_failed || jumped == 2) {
			printf("not ok %zu - %s\n", i + 1, cases[i].name);
			failed = 1;
		} else {
			printf("ok %zu - %s\n", i + 1, cases[i].name);
		}
	}
	return failed;
}

#define CHECK_MAIN(table)                                                      \
	int main(void)                                                         \
	{                                                                      \
		return check_main(table, sizeof(table) / sizeof(table[0]));    \
	}

#endif /* SQN_CHECK_H */
