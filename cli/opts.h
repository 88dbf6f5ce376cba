/* SPDX-License-Identifier: Apache-2.0 */
/*
 * opts.h - command-line options as table rows: the engine (opts.c) and the
 *	    mode options every subcommand that starts an interface shares
 *	    (opts_mode.c)
 *
 * An option is one struct cli_opt: its name, value kind, where the value
 * goes, which subcommands have it, which modes it applies to (by the
 * SQN_PARAMS_* group it feeds, so sqn_mode_info() decides, not a list of
 * mode names), whether it applies with --guest-fd, and its help text. The
 * parser, the usage text and every refusal come from the rows.
 *
 * A subcommand is a struct cli_command: its name, its own rows (fields in
 * its own struct) and its text. The mode rows (cli_mode_rows[], fields in
 * struct cli_mode_opts) are every command's too, filtered by the command's
 * bit (CLI_RUN, CLI_SERVE); cli_mode_fill_params() turns them into a
 * struct sqn_params.
 */
#ifndef SQN_CLI_OPTS_H
#define SQN_CLI_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "policy_rules.h"
#include "squibnet.h"

/* Which subcommands an option belongs to: struct cli_opt.cmds */
#define CLI_RUN (1u << 0)
#define CLI_SERVE (1u << 1)
#define CLI_BOTH (CLI_RUN | CLI_SERVE)

#define CLI_MAX_HELPER_ARGS 32
#define CLI_MAX_PUBLISH 64
#define CLI_MAX_DNS_SEARCH 8
/* policy rules: the parser's own bounds per kind (256 + 256 + 8) and the
 * two flags; their text ("allow-host=NAME") in a pool */
#define CLI_MAX_POLICY                                                         \
	(SQN_POLICY_MAX_HOSTS + SQN_POLICY_MAX_NETS + SQN_POLICY_MAX_DNS + 2)
#define CLI_POLICY_POOL 49152

/**
 * enum cli_kind - an option's value, and where it goes
 * @CLI_FLAG:	no value: sets the bool at @off
 * @CLI_COUNT:	no value, repeatable: adds one to the int at @off
 * @CLI_STR:	a value kept as given: the const char * at @off
 * @CLI_U32:	a decimal number from @lo to @hi: the uint32_t at @off
 * @CLI_LIST:	repeatable, kept as given: appended to the const char *
 *		array at @off (@hi entries), counted in the unsigned at @off_n
 * @CLI_MODE:	a mode's name (sqn_mode_parse()): the enum sqn_mode at @off
 * @CLI_FN:	checked and stored by @set
 */
enum cli_kind {
	CLI_FLAG,
	CLI_COUNT,
	CLI_STR,
	CLI_U32,
	CLI_LIST,
	CLI_MODE,
	CLI_FN,
};

/**
 * typedef cli_set_fn - stores a CLI_FN option's value
 * @dst:	the struct the option's table is for (struct cli_mode_opts,
 *		or the command's own)
 * @v:		the value
 * @err:	gets what is wrong, naming the option and the value, without
 *		the command's name (the parser puts it in front)
 * @errlen:	its size
 *
 * Return: 0 or -EINVAL
 */
typedef int (*cli_set_fn)(void *dst, const char *v, char *err, size_t errlen);

/**
 * struct cli_opt - one command-line option
 * @name:	"--mtu"
 * @alias:	a short name ("-p"), or NULL
 * @kind:	its value's kind
 * @arg:	the value's name in the usage text ("N", "URL"); NULL when
 *		it takes none
 * @off:	offset of its field in the table's struct (not for CLI_FN)
 * @off_n:	CLI_LIST: offset of the count
 * @lo:		CLI_U32: smallest value
 * @hi:		CLI_U32: largest value; CLI_LIST: most entries
 * @set:	CLI_FN: the handler
 * @cmds:	CLI_RUN, CLI_SERVE: the subcommands that have it
 * @params:	the SQN_PARAMS_* group it feeds: refused in a mode that does
 *		not use it (struct sqn_mode_info.uses); 0: every mode
 * @required:	given it must be in a mode that needs @params
 *		(struct sqn_mode_info.needs)
 * @conflicts:	another option's name that contradicts this one, or NULL
 * @elsewhere:	how a mode without @params would treat it, for the refusal
 *		("carries plain frames"); NULL: "would ignore it"
 * @no_guest_fd: why it means nothing with --guest-fd (no namespace); NULL
 *		when it applies there
 * @general:	a mode row about the command, not its interface (--stats,
 *		-v): it applies with --mode none too
 * @help:	one line (wrapped by the usage printer)
 */
struct cli_opt {
	const char *name;
	const char *alias;
	enum cli_kind kind;
	const char *arg;
	size_t off;
	size_t off_n;
	uint32_t lo;
	uint32_t hi;
	cli_set_fn set;
	unsigned cmds;
	uint32_t params;
	bool required;
	const char *conflicts;
	const char *elsewhere;
	const char *no_guest_fd;
	bool general;
	const char *help;
};

/**
 * struct cli_command - a subcommand, as its options see it
 * @name:	"run", "serve": the first word of every message
 * @bit:	CLI_RUN or CLI_SERVE: which mode rows it has
 * @usage:	printed first by --help: the synopsis and what it does
 * @epilogue:	printed after the options, or NULL
 * @stray:	what to say of an argument that is no option ("put the
 *		command after --")
 * @none:	the command takes --mode none, which means this ("no
 *		uplink"): no interface, and the interface's options are
 *		refused; NULL: it does not
 * @own:	its own rows, their fields in the struct given as @own to
 *		cli_opts_parse()
 * @n_own:	their number (at most 64)
 */
struct cli_command {
	const char *name;
	unsigned bit;
	const char *usage;
	const char *epilogue;
	const char *stray;
	const char *none;
	const struct cli_opt *own;
	size_t n_own;
};

/**
 * struct ip4_cidr - an IPv4 address with a prefix length
 * @addr:	address, network byte order
 * @prefix:	0..32
 */
struct ip4_cidr {
	uint32_t addr;
	unsigned prefix;
};

/**
 * struct cli_policy - an egress policy from the command line
 * @rules:	the rules parsed (each option checked as it comes)
 * @deny_all:	--deny-all
 * @check_sni:	--check-sni
 * @v:		the rules as struct sqn_params.policy_rules spells them
 *		("allow-host=pypi.org"), in the order given, the flags last
 * @n:		their number
 * @pool:	their text
 * @used:	bytes of @pool in use
 */
struct cli_policy {
	struct sqn_policy_rules rules;
	bool deny_all;
	bool check_sni;
	const char *v[CLI_MAX_POLICY];
	unsigned n;
	char pool[CLI_POLICY_POOL];
	unsigned used;
};

/**
 * struct cli_mode_opts - the options that choose and shape the interface
 * @mode:		--mode (SQN_MODE_DEFAULT until cli_opts_check())
 * @none:		--mode none (a command whose cli_command.none is set):
 *			no interface at all
 * @mtu:		--mtu, 0 for the backend's
 * @iface_id:		--id, default "eth0"
 * @timeout_ms:		--timeout-ms, backend start timeout (0: default)
 * @stats:		--stats: print statistics on exit
 * @verbose:		-v count
 * @helper_kind:	--helper
 * @helper_path:	--helper-path
 * @helper_args:	--helper-arg, repeated
 * @n_helper_args:	their number
 * @helper_restart:	--helper-restart
 * @connect_url:	--connect
 * @reconnect_max:	--reconnect-max, 0: no bound
 * @tap:		--tap, the backend TAP's name
 * @host_addr:		--host-addr: the backend TAP's address on the host
 * @have_host_addr:	given
 * @queues:		--queues
 * @offload:		--offload; on by default in a userspace stack that
 *			takes offloads (cli_opts_check())
 * @no_offload:		--no-offload
 * @publish:		-p/--publish, repeated (slirp forwards)
 * @n_publish:		their number
 * @restrict_net:	--restrict
 * @net:		--net CIDR (slirp network)
 * @dns_search:		--dns-search, repeated
 * @n_dns_search:	their number
 * @no_ipv6:		--no-ipv6
 * @bridged:		--bridged IFACE
 * @policy:		--allow-host, --allow-net, --allow-dns, --deny-all,
 *			--check-sni: the egress policy
 * @pcap:		--pcap FILE: a capture from the start (run: the
 *			interface; serve: the whole network), or NULL
 * @pcap_snaplen:	--pcap-snaplen N (0: whole frames)
 * @control:		--control URL: serve the control protocol, or NULL
 * @stats_interval:	--stats-interval N: stats lines every N seconds (0:
 *			none)
 */
struct cli_mode_opts {
	enum sqn_mode mode;
	bool none;
	uint32_t mtu;
	const char *iface_id;
	uint32_t timeout_ms;
	bool stats;
	int verbose;
	enum sqn_helper_kind helper_kind;
	const char *helper_path;
	const char *helper_args[CLI_MAX_HELPER_ARGS];
	unsigned n_helper_args;
	bool helper_restart;
	const char *connect_url;
	uint32_t reconnect_max;
	const char *tap;
	struct ip4_cidr host_addr;
	bool have_host_addr;
	uint32_t queues;
	bool offload;
	bool no_offload;
	const char *publish[CLI_MAX_PUBLISH];
	unsigned n_publish;
	bool restrict_net;
	const char *net;
	const char *dns_search[CLI_MAX_DNS_SEARCH];
	unsigned n_dns_search;
	bool no_ipv6;
	const char *bridged;
	struct cli_policy policy;
	const char *pcap;
	uint32_t pcap_snaplen;
	const char *control;
	uint32_t stats_interval;
};

/**
 * struct cli_parse - one parse of a command line
 * @m:		the mode options (set by cli_opts_parse())
 * @own:	the command's own struct, set up by the caller
 * @given:	bit i of [0]: cli_mode_rows[i] was given; of [1]: the
 *		command's own row i
 * @next:	index in argv of the first argument after "--" (argc: none)
 */
struct cli_parse {
	struct cli_mode_opts *m;
	void *own;
	uint64_t given[2];
	int next;
};

/* opts_mode.c: the mode options' rows */
extern const struct cli_opt cli_mode_rows[];
extern const size_t cli_n_mode_rows;
void cli_mode_opts_init(struct cli_mode_opts *m);
void cli_mode_fill_params(const struct cli_mode_opts *m, struct sqn_params *p);
void cli_mode_defaults(struct cli_mode_opts *m, const struct sqn_mode_info *mi);
int cli_policy_add(struct cli_policy *pol, enum sqn_policy_rule_kind kind,
		   const char *v, char *err, size_t errlen);
int cli_policy_finish(struct cli_policy *pol, char *err, size_t errlen);

/* rate_opt.c: --rx-rate / --tx-rate SPEC (pure) */
int cli_rate_parse(const char *opt, const char *v, struct sqn_rate_limiter *l,
		   char *err, size_t errlen);

/* opts.c: the engine */
int cli_opts_parse(const struct cli_command *cmd, struct cli_parse *ps,
		   int argc, char **argv, char *err, size_t errlen);
int cli_opts_check(const struct cli_command *cmd, struct cli_parse *ps,
		   char *err, size_t errlen);
const struct cli_opt *cli_opts_given(const struct cli_command *cmd,
				     const struct cli_parse *ps, size_t *it);
const char *cli_opt_display(const struct cli_opt *o, char *buf, size_t len);
const struct cli_opt *cli_opt_needed(unsigned bit, uint32_t group);
void cli_opts_usage(const struct cli_command *cmd, FILE *f);
int cli_parse_ip4(const char *s, uint32_t *out);
int cli_parse_cidr(const char *s, struct ip4_cidr *out);

#endif /* SQN_CLI_OPTS_H */
