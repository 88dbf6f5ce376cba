/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_portfwd.c - libFuzzer target: slirp option parsing (port forwards,
 *		    CIDR networks, DNS search domains)
 *
 * The input is split at its first two NUL bytes into a forward, a network
 * and a search domain. Every parser must either accept or fail with a
 * message; an accepted forward must be inside the network's rules.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "netopt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sqn_netopt o;
	char *buf, *net, *dom, err[256];
	const char *fwds[1];
	struct sqn_params p;
	struct sqn_fwd f;
	int rc;

	buf = malloc(size + 3);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = buf[size + 1] = buf[size + 2] = '\0';
	net = buf + strlen(buf) + 1;
	dom = net + strlen(net) + 1;
	if (dom > buf + size + 2)
		dom = buf + size + 2;

	sqn_params_init(&p);
	fwds[0] = buf;
	p.forwards = fwds;
	p.n_forwards = 1;
	if (*net)
		p.slirp_net = net;
	if (*dom) {
		p.slirp_dns_search = (const char *const *)&dom;
		p.n_slirp_dns_search = 1;
	}
	err[0] = '\0';
	rc = sqn_netopt_build(&p, &o, err, sizeof(err));
	if (rc) {
		if (!err[0])
			abort(); /* every refusal has a message */
	} else {
		f = o.fwd[0];
		if (!f.host_port || !f.guest_port ||
		    (f.guest.s_addr & o.mask.s_addr) != o.net.s_addr ||
		    f.guest.s_addr == o.host.s_addr ||
		    f.guest.s_addr == o.dns.s_addr)
			abort();
	}
	/* the forward alone against the default network */
	sqn_params_init(&p);
	if (!sqn_netopt_build(&p, &o, err, sizeof(err)))
		(void)sqn_netopt_fwd(&o, buf, &f, err, sizeof(err));
	free(buf);
	return 0;
}
