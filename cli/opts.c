/* SPDX-License-Identifier: Apache-2.0 */
/*
 * opts.c - the option table engine: parse, check, usage, all from the rows
 *
 * Theory of operation: a command line is parsed against two tables, the
 * mode rows every interface-starting command shares (opts_mode.c, fields in
 * struct cli_mode_opts) and the command's own (fields in its own struct).
 * Parsing stores each value by its row's kind and remembers which rows
 * were given; checking then resolves the mode and asks sqn_mode_info()
 * which parameter groups it reads and needs, so that an option of another
 * mode is refused and a missing one asked for, by rule rather than by mode
 * name. Every message names the command, the option and the value. Strings
 * point into argv: nothing is allocated, so the whole is fuzzed directly.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"

#define FAIL(...)                                                              \
	do {                                                                   \
		snprintf(err, errlen, __VA_ARGS__);                            \
		return -EINVAL;                                                \
	} while (0)

#define USAGE_COL 22
#define USAGE_WIDTH 79

/**
 * cli_parse_ip4() - parse a dotted-quad IPv4 address
 * @s:		text
 * @out:	network byte order
 *
 * Return: 0 or -EINVAL
 */
int cli_parse_ip4(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (!s || inet_pton(AF_INET, s, &a) != 1)
		return -EINVAL;
	*out = a.s_addr;
	return 0;
}

/**
 * cli_parse_cidr() - parse "a.b.c.d/N"
 * @s:		text
 * @out:	address and prefix
 *
 * Return: 0 or -EINVAL
 */
int cli_parse_cidr(const char *s, struct ip4_cidr *out)
{
	char buf[INET_ADDRSTRLEN + 4], *slash, *end;
	unsigned long n;

	if (!s || strlen(s) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, strlen(s) + 1); /* fits: checked above */
	slash = strchr(buf, '/');
	if (!slash || !slash[1])
		return -EINVAL;
	*slash = '\0';
	errno = 0;
	n = strtoul(slash + 1, &end, 10);
	if (errno || *end || n > 32 || slash[1] == '-' || slash[1] == '+' ||
	    slash[1] == ' ')
		return -EINVAL;
	if (cli_parse_ip4(buf, &out->addr))
		return -EINVAL;
	out->prefix = (unsigned)n;
	return 0;
}

/**
 * parse_u32() - a decimal number within [lo, hi]
 * @s:		text
 * @lo:		smallest accepted
 * @hi:		largest accepted
 * @out:	the value
 *
 * Return: 0 or -EINVAL
 */
static int parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	unsigned long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/**
 * cli_opt_display() - an option's name as messages spell it
 * @o:		the row
 * @buf:	scratch
 * @len:	its size
 *
 * Return: "-p/--publish" for a row with an alias, else its name
 */
const char *cli_opt_display(const struct cli_opt *o, char *buf, size_t len)
{
	if (!o->alias)
		return o->name;
	snprintf(buf, len, "%s/%s", o->alias, o->name);
	return buf;
}

/**
 * mode_list() - "a, b or c": every mode except the default, or those whose
 *		 parameters include a group
 * @group:	SQN_PARAMS_* group the modes must use, 0 for every mode
 * @sep:	the separator before the last ("or ", ", ")
 * @buf:	gets the list
 * @len:	its size
 *
 * Return: @buf
 */
static const char *mode_list(uint32_t group, const char *sep, char *buf,
			     size_t len)
{
	const char *names[SQN_MODE_COUNT_] = {NULL};
	size_t n = 0, off = 0, i;
	int m;

	for (m = 1; m < SQN_MODE_COUNT_; m++) {
		struct sqn_mode_info mi = {.size = sizeof(mi)};

		if (sqn_mode_info((enum sqn_mode)m, &mi) == 0 &&
		    (!group || (mi.uses & group)))
			names[n++] = mi.name;
	}
	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					!i	    ? ""
					: i + 1 < n ? ", "
						    : sep,
					names[i]);
	return buf;
}

/**
 * struct rowset - one table of rows and the struct its fields are in
 * @rows:	the rows
 * @n:		their number
 * @dst:	the struct
 * @given:	which were given
 */
struct rowset {
	const struct cli_opt *rows;
	size_t n;
	void *dst;
	uint64_t *given;
};

/**
 * rowsets() - the mode rows and the command's own, as two sets
 * @cmd:	the command
 * @ps:		the parse (NULL: usage, no fields)
 * @sets:	gets two sets
 */
static void rowsets(const struct cli_command *cmd, struct cli_parse *ps,
		    struct rowset sets[2])
{
	sets[0] = (struct rowset){cli_mode_rows, cli_n_mode_rows,
				  ps ? ps->m : NULL, ps ? &ps->given[0] : NULL};
	sets[1] = (struct rowset){cmd->own, cmd->n_own, ps ? ps->own : NULL,
				  ps ? &ps->given[1] : NULL};
}

/**
 * has_row() - whether a row belongs to the command
 * @cmd:	the command
 * @set:	0 for the mode rows (filtered by @cmd->bit), 1 for its own
 * @o:		the row
 *
 * Return: true if @cmd has it
 */
static bool has_row(const struct cli_command *cmd, int set,
		    const struct cli_opt *o)
{
	return set == 1 || (o->cmds & cmd->bit);
}

/**
 * find_row() - the row an argument names
 * @cmd:	the command
 * @sets:	its two sets
 * @a:		the argument
 * @set:	gets which set
 * @idx:	gets the row's index in it
 *
 * Return: the row, or NULL
 */
static const struct cli_opt *find_row(const struct cli_command *cmd,
				      const struct rowset sets[2],
				      const char *a, int *set, size_t *idx)
{
	size_t i;
	int s;

	for (s = 0; s < 2; s++)
		for (i = 0; i < sets[s].n; i++) {
			const struct cli_opt *o = &sets[s].rows[i];

			if (!has_row(cmd, s, o))
				continue;
			if (!strcmp(a, o->name) ||
			    (o->alias && !strcmp(a, o->alias))) {
				*set = s;
				*idx = i;
				return o;
			}
		}
	return NULL;
}

/**
 * store() - store an option's value in its field
 * @o:		the row
 * @dst:	the struct its field is in
 * @v:		the value (NULL for a flag or a count)
 * @err:	gets what is wrong, without the command's name
 * @errlen:	its size
 *
 * Return: 0 or -EINVAL
 */
static int store(const struct cli_opt *o, void *dst, const char *v, char *err,
		 size_t errlen)
{
	char *f = (char *)dst + o->off;
	unsigned *n;
	char modes[160];

	switch (o->kind) {
	case CLI_FLAG:
		*(bool *)f = true;
		return 0;
	case CLI_COUNT:
		++*(int *)f;
		return 0;
	case CLI_STR:
		*(const char **)f = v;
		return 0;
	case CLI_U32:
		if (parse_u32(v, o->lo, o->hi, (uint32_t *)f))
			FAIL("%s '%s' is not a number from %u to %u", o->name,
			     v, o->lo, o->hi);
		return 0;
	case CLI_LIST:
		n = (unsigned *)((char *)dst + o->off_n);
		if (*n >= o->hi)
			FAIL("more than %u %s", o->hi, o->name);
		((const char **)f)[(*n)++] = v;
		return 0;
	case CLI_MODE:
		if (sqn_mode_parse(v, (enum sqn_mode *)f))
			FAIL("%s '%s' is unknown: use default, %s", o->name, v,
			     mode_list(0, " or ", modes, sizeof(modes)));
		return 0;
	case CLI_FN:
		return o->set(dst, v, err, errlen);
	}
	FAIL("%s: kind %d is unknown", o->name, (int)o->kind);
}

/**
 * cli_opts_parse() - parse a command's options
 * @cmd:	the command
 * @ps:		@ps->m and @ps->own set up by the caller (cli_mode_opts_init()
 *		for @ps->m); gets the values, which rows were given, and
 *		where the arguments after "--" start
 * @argc:	count, argv[0] being the command's name
 * @argv:	arguments
 * @err:	gets "CMD: ..." on failure
 * @errlen:	its size
 *
 * Return: 0, 1 when help was asked for, or -EINVAL with the message set
 */
int cli_opts_parse(const struct cli_command *cmd, struct cli_parse *ps,
		   int argc, char **argv, char *err, size_t errlen)
{
	struct rowset sets[2];
	char why[400];
	int i;

	if (errlen)
		err[0] = '\0';
	ps->given[0] = ps->given[1] = 0;
	rowsets(cmd, ps, sets);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct cli_opt *o;
		size_t idx;
		int s;

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			return 1;
		o = find_row(cmd, sets, a, &s, &idx);
		if (!o && a[0] != '-')
			FAIL("%s: unexpected argument '%s': %s", cmd->name, a,
			     cmd->stray);
		if (!o)
			FAIL("%s: unknown option '%s' (squib-net %s --help "
			     "lists them)",
			     cmd->name, a, cmd->name);
		if (o->arg && i + 1 >= argc)
			FAIL("%s: option %s needs a value", cmd->name, a);
		*sets[s].given |= 1ULL << idx;
		if (o->kind == CLI_MODE) {
			ps->m->none = cmd->none && !strcmp(argv[i + 1], "none");
			if (ps->m->none) {
				ps->m->mode = SQN_MODE_DEFAULT;
				i++;
				continue;
			}
		}
		if (store(o, sets[s].dst, o->arg ? argv[++i] : NULL, why,
			  sizeof(why)))
			FAIL("%s: %s", cmd->name, why);
	}
	ps->next = i;
	return 0;
}

/**
 * cli_opts_given() - the next row given on the command line
 * @cmd:	the command
 * @ps:		the parse
 * @it:		iterator, 0 to start
 *
 * Return: the row, or NULL after the last
 */
const struct cli_opt *cli_opts_given(const struct cli_command *cmd,
				     const struct cli_parse *ps, size_t *it)
{
	while (*it < cli_n_mode_rows + cmd->n_own) {
		size_t i = (*it)++;

		if (i < cli_n_mode_rows && (ps->given[0] >> i & 1))
			return &cli_mode_rows[i];
		if (i >= cli_n_mode_rows &&
		    (ps->given[1] >> (i - cli_n_mode_rows) & 1))
			return &cmd->own[i - cli_n_mode_rows];
	}
	return NULL;
}

/**
 * was_given() - whether the option named @name was given
 * @cmd:	the command
 * @ps:		the parse
 * @name:	its long name
 *
 * Return: true if it was
 */
static bool was_given(const struct cli_command *cmd, const struct cli_parse *ps,
		      const char *name)
{
	const struct cli_opt *o;
	size_t it = 0;

	while ((o = cli_opts_given(cmd, ps, &it)))
		if (!strcmp(o->name, name))
			return true;
	return false;
}

/**
 * check_none() - with --mode none, only the rows about the command apply
 * @cmd:	the command
 * @ps:		the parse
 * @err:	gets "CMD: ..." on failure
 * @errlen:	its size
 *
 * Return: 0 or -EINVAL
 */
static int check_none(const struct cli_command *cmd, struct cli_parse *ps,
		      char *err, size_t errlen)
{
	const struct cli_opt *o;
	size_t it = 0;
	char d[64];

	while ((o = cli_opts_given(cmd, ps, &it)))
		if (o->kind != CLI_MODE && !o->general && o >= cli_mode_rows &&
		    o < cli_mode_rows + cli_n_mode_rows)
			FAIL("%s: %s has no meaning with --mode none (%s)",
			     cmd->name, cli_opt_display(o, d, sizeof(d)),
			     cmd->none);
	return 0;
}

/**
 * check_uses() - every option given is one the mode uses
 * @cmd:	the command
 * @ps:		the parse
 * @mi:		the mode
 * @err:	gets "CMD: ..." on failure
 * @errlen:	its size
 *
 * Return: 0 or -EINVAL
 */
static int check_uses(const struct cli_command *cmd, struct cli_parse *ps,
		      const struct sqn_mode_info *mi, char *err, size_t errlen)
{
	const struct cli_opt *o;
	char d[64], modes[160];
	size_t it = 0;

	while ((o = cli_opts_given(cmd, ps, &it))) {
		if (!o->params || (mi->uses & o->params))
			continue;
		mode_list(o->params, " or ", modes, sizeof(modes));
		if (o->elsewhere)
			FAIL("%s: %s needs --mode %s (mode %s %s)", cmd->name,
			     cli_opt_display(o, d, sizeof(d)), modes, mi->name,
			     o->elsewhere);
		FAIL("%s: %s is for --mode %s: mode %s would ignore it",
		     cmd->name, cli_opt_display(o, d, sizeof(d)), modes,
		     mi->name);
	}
	return 0;
}

/**
 * cli_opts_check() - what the options need of the mode and of each other
 * @cmd:	the command
 * @ps:		a successful parse; SQN_MODE_DEFAULT is resolved in @ps->m
 * @err:	gets "CMD: ..." on failure
 * @errlen:	its size
 *
 * A backend ignores the parameters of the others, so an option for another
 * mode would be silently dropped: it is refused instead. An option the mode
 * needs (a URL, a device) is asked for.
 *
 * Return: 0 or -EINVAL
 */
int cli_opts_check(const struct cli_command *cmd, struct cli_parse *ps,
		   char *err, size_t errlen)
{
	struct sqn_mode_info mi = {.size = sizeof(mi)};
	const struct cli_opt *o;
	char why[400];
	size_t it = 0, i;

	if (ps->m->pcap_snaplen && !ps->m->pcap)
		FAIL("%s: --pcap-snaplen needs --pcap FILE", cmd->name);
	if (ps->m->none) {
		if (check_none(cmd, ps, err, errlen))
			return -EINVAL;
		if (cli_policy_finish(&ps->m->policy, why, sizeof(why)))
			FAIL("%s: %s", cmd->name, why);
		return 0;
	}
	if (ps->m->mode == SQN_MODE_DEFAULT)
		ps->m->mode = sqn_mode_default();
	if (sqn_mode_info(ps->m->mode, &mi))
		FAIL("%s: mode %d is unknown", cmd->name, (int)ps->m->mode);
	while ((o = cli_opts_given(cmd, ps, &it)))
		if (o->conflicts && was_given(cmd, ps, o->conflicts))
			FAIL("%s: %s and %s contradict each other", cmd->name,
			     o->conflicts, o->name);
	for (i = 0; i < cli_n_mode_rows; i++) {
		o = &cli_mode_rows[i];
		if (has_row(cmd, 0, o) && o->required &&
		    (mi.needs & o->params) && !(ps->given[0] >> i & 1))
			FAIL("%s: --mode %s needs %s %s (%s)", cmd->name,
			     mi.name, o->name, o->arg, o->help);
	}
	if (check_uses(cmd, ps, &mi, err, errlen))
		return -EINVAL;
	if (cli_policy_finish(&ps->m->policy, why, sizeof(why)))
		FAIL("%s: %s", cmd->name, why);
	cli_mode_defaults(ps->m, &mi);
	return 0;
}

/**
 * cli_opt_needed() - the option that gives a parameter group a mode needs
 * @bit:	the command (CLI_RUN, CLI_SERVE)
 * @group:	one SQN_PARAMS_* group
 *
 * Return: the first required mode row feeding @group, or NULL
 */
const struct cli_opt *cli_opt_needed(unsigned bit, uint32_t group)
{
	size_t i;

	for (i = 0; i < cli_n_mode_rows; i++)
		if ((cli_mode_rows[i].cmds & bit) &&
		    cli_mode_rows[i].required &&
		    (cli_mode_rows[i].params & group))
			return &cli_mode_rows[i];
	return NULL;
}

/**
 * print_wrapped() - text wrapped at word boundaries, continued at USAGE_COL
 * @f:		where to
 * @col:	the column the cursor is at
 * @text:	the text
 */
static void print_wrapped(FILE *f, int col, const char *text)
{
	const char *w = text;

	bool first = true;

	while (*w) {
		size_t n = strcspn(w, " ");

		if (!first && col + 1 + (int)n > USAGE_WIDTH) {
			fprintf(f, "\n%*s", USAGE_COL, "");
			col = USAGE_COL;
		} else if (!first) {
			fputc(' ', f);
			col++;
		}
		first = false;
		fprintf(f, "%.*s", (int)n, w);
		col += (int)n;
		w += n;
		while (*w == ' ')
			w++;
	}
	fputc('\n', f);
}

/**
 * print_row() - one option's line(s) of the usage text
 * @f:	where to
 * @cmd:	the command (its --mode none)
 * @o:	the row
 */
static void print_row(FILE *f, const struct cli_command *cmd,
		      const struct cli_opt *o)
{
	char left[64], help[400], modes[160], none[96] = "";
	int col;

	snprintf(left, sizeof(left), "%s%s%s%s%s", o->alias ? o->alias : "",
		 o->alias ? ", " : "", o->name, o->arg ? " " : "",
		 o->arg ? o->arg : "");
	if (o->kind == CLI_MODE && cmd->none)
		snprintf(none, sizeof(none), "none (%s), ", cmd->none);
	if (o->kind == CLI_MODE)
		snprintf(help, sizeof(help),
			 "%s: %sdefault, %s (default here: "
			 "%s)",
			 o->help, none,
			 mode_list(0, ", ", modes, sizeof(modes)),
			 sqn_mode_name(sqn_mode_default()));
	else if (o->kind == CLI_U32)
		snprintf(help, sizeof(help), "%s (%u..%u)", o->help, o->lo,
			 o->hi);
	else if (o->kind == CLI_LIST)
		snprintf(help, sizeof(help), "%s (repeatable)", o->help);
	else
		snprintf(help, sizeof(help), "%s", o->help);
	/* "  NAME ARG" padded to USAGE_COL - 2, two spaces, the help; a
	 * longer left side gets a line of its own */
	col = fprintf(f, "  %-*s", USAGE_COL - 4, left);
	if (col > USAGE_COL - 2)
		fprintf(f, "\n%*s", USAGE_COL, "");
	else
		fprintf(f, "  ");
	print_wrapped(f, USAGE_COL, help);
}

/**
 * cli_opts_usage() - print a command's usage text, from its rows
 * @cmd:	the command
 * @f:		where to
 *
 * The command's text, then its options: those of every mode ("common"),
 * then one section per set of modes an option applies to, named by
 * sqn_mode_info(), then the command's epilogue.
 */
void cli_opts_usage(const struct cli_command *cmd, FILE *f)
{
	struct rowset sets[2];
	char head[160], last[160] = "";
	size_t i;
	int s;

	rowsets(cmd, NULL, sets);
	fprintf(f, "%s\ncommon:\n", cmd->usage);
	for (s = 0; s < 2; s++)
		for (i = 0; i < sets[s].n; i++)
			if (has_row(cmd, s, &sets[s].rows[i]) &&
			    !sets[s].rows[i].params)
				print_row(f, cmd, &sets[s].rows[i]);
	for (s = 0; s < 2; s++)
		for (i = 0; i < sets[s].n; i++) {
			const struct cli_opt *o = &sets[s].rows[i];

			if (!has_row(cmd, s, o) || !o->params)
				continue;
			mode_list(o->params, ", ", head, sizeof(head));
			if (strcmp(head, last) != 0) {
				fprintf(f, "%s:\n", head);
				snprintf(last, sizeof(last), "%s", head);
			}
			print_row(f, cmd, o);
		}
	if (cmd->epilogue)
		fprintf(f, "\n%s", cmd->epilogue);
}
