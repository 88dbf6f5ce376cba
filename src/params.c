/* SPDX-License-Identifier: Apache-2.0 */
/*
 * params.c - validation of the parameters every backend shares (pure)
 *
 * Each refused value gets its own message naming the field, the value and
 * what would be accepted. Nothing here has a side effect: a start that fails
 * validation has opened nothing.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

#define SQN_QUEUE_MAX 65536
/* max_frame accepts one byte more than any frame (65536: the original
 * crate's limit, as documented); the core caps it at SQN_FRAME_MAX */
#define SQN_MAX_FRAME_ASKED (SQN_FRAME_MAX + 1)
#define SQN_TIMEOUT_MAX_MS (10 * 60 * 1000)
#define SQN_NAME_MAX 64

/**
 * sqn_check_host_dev_name() - validate a TAP device name: present, 1 to 64
 *			       bytes; kept verbatim (the tap backend checks what
 *			       Linux allows)
 * @iface:	for the message
 * @name:	the name: 1..64 bytes
 *
 * Return: 0 or -EINVAL
 */
int sqn_check_host_dev_name(struct sqn_iface *iface, const char *name)
{
	size_t n;

	if (!name)
		return sqn_seterr(iface, -EINVAL,
				  "host_dev_name is missing: name the TAP "
				  "device (e.g. \"tap0\")");
	n = strnlen(name, SQN_NAME_MAX + 1);
	if (n == 0)
		return sqn_seterr(iface, -EINVAL,
				  "host_dev_name is empty: it must be 1 to %d "
				  "bytes",
				  SQN_NAME_MAX);
	if (n > SQN_NAME_MAX)
		return sqn_seterr(iface, -EINVAL,
				  "host_dev_name \"%.16s...\" is longer than "
				  "%d bytes",
				  name, SQN_NAME_MAX);
	return 0;
}

/**
 * check_tristate() - validate an SQN_ON/SQN_OFF/0 switch
 * @iface:	for the message
 * @field:	its name
 * @v:		its value
 *
 * Return: 0 or -EINVAL
 */
static int check_tristate(struct sqn_iface *iface, const char *field, int v)
{
	if (v == 0 || v == SQN_ON || v == SQN_OFF)
		return 0;
	return sqn_seterr(iface, -EINVAL,
			  "%s is %d: use SQN_ON (1), SQN_OFF (-1) or 0 for "
			  "the default",
			  field, v);
}

/**
 * check_iface_id() - validate the interface id
 * @iface:	for the message
 * @id:		the id
 *
 * Return: 0 or -EINVAL
 */
static int check_iface_id(struct sqn_iface *iface, const char *id)
{
	size_t n, i;

	if (!id)
		return sqn_seterr(iface, -EINVAL,
				  "iface_id is missing: give the interface "
				  "an id such as \"eth0\"");
	n = strnlen(id, 66);
	if (n == 0)
		return sqn_seterr(iface, -EINVAL,
				  "iface_id is empty: it must be 1 to 64 of "
				  "A-Z a-z 0-9 _");
	if (n > 64)
		return sqn_seterr(iface, -EINVAL,
				  "iface_id \"%.20s...\" is longer than 64 "
				  "characters",
				  id);
	for (i = 0; i < n; i++) {
		if (!sqn_iface_id_valid((char[]){id[i], '\0'}))
			return sqn_seterr(iface, -EINVAL,
					  "iface_id \"%s\" has %s at offset "
					  "%zu: only A-Z a-z 0-9 _ are allowed",
					  id,
					  id[i] == ' '
						  ? "a space"
						  : "a character not allowed",
					  i);
	}
	return 0;
}

/**
 * sqn_params_check() - validate the common parameters
 * @iface:	for the message
 * @p:		the parameters, already copied to full size
 *
 * Return: 0, or -EINVAL with the message set
 */
int sqn_params_check(struct sqn_iface *iface, const struct sqn_params *p)
{
	static const uint8_t zero[6];
	int rc;

	rc = check_iface_id(iface, p->iface_id);
	if (rc)
		return rc;
	if ((unsigned)p->mode >= SQN_MODE_COUNT_) {
		char modes[SQN_MSG_LEN];

		return sqn_seterr(
			iface, -EINVAL, "mode %d is unknown: use one of %s",
			(int)p->mode, sqn_mode_list(modes, sizeof(modes)));
	}
	if (p->mtu && (p->mtu < SQN_MTU_MIN || p->mtu > SQN_MTU_MAX))
		return sqn_seterr(iface, -EINVAL,
				  "mtu %u is out of range: use %d to %d, or 0 "
				  "for the backend's default",
				  p->mtu, SQN_MTU_MIN, SQN_MTU_MAX);
	if (p->start_timeout_ms > SQN_TIMEOUT_MAX_MS)
		return sqn_seterr(iface, -EINVAL,
				  "start_timeout_ms %u is more than %d (10 "
				  "minutes)",
				  p->start_timeout_ms, SQN_TIMEOUT_MAX_MS);
	if (memcmp(p->guest_mac, zero, 6) != 0 && (p->guest_mac[0] & 1)) {
		char m[18];

		return sqn_seterr(
			iface, -EINVAL,
			"guest_mac %s is a multicast address: a "
			"guest needs a unicast one (first octet even)",
			sqn_mac_format(p->guest_mac, m));
	}
	if (p->log_level > SQN_LOG_DEBUG)
		return sqn_seterr(iface, -EINVAL,
				  "log_level %d is unknown: use SQN_LOG_ERROR "
				  "(0) to SQN_LOG_DEBUG (3)",
				  (int)p->log_level);
	if (p->rx_queue_len > SQN_QUEUE_MAX)
		return sqn_seterr(iface, -EINVAL,
				  "rx_queue_len %u is more than %d frames",
				  p->rx_queue_len, SQN_QUEUE_MAX);
	if (p->tx_queue_len > SQN_QUEUE_MAX)
		return sqn_seterr(iface, -EINVAL,
				  "tx_queue_len %u is more than %d frames",
				  p->tx_queue_len, SQN_QUEUE_MAX);
	if (p->max_frame && (p->max_frame < SQN_FRAME_MIN ||
			     p->max_frame > SQN_MAX_FRAME_ASKED))
		return sqn_seterr(iface, -EINVAL,
				  "max_frame %u is out of range: use %d to %d, "
				  "or 0 for the default",
				  p->max_frame, SQN_FRAME_MIN,
				  SQN_MAX_FRAME_ASKED);
	if (p->host_dev_name) {
		rc = sqn_check_host_dev_name(iface, p->host_dev_name);
		if (rc)
			return rc;
	}
	if (p->tap_queues > SQN_MAX_QUEUES)
		return sqn_seterr(iface, -EINVAL,
				  "tap_queues %u is more than %d",
				  p->tap_queues, SQN_MAX_QUEUES);
	if ((rc = check_tristate(iface, "isolation", p->isolation)) ||
	    (rc = check_tristate(iface, "helper_restart", p->helper_restart)) ||
	    (rc = check_tristate(iface, "helper_env", p->helper_env)) ||
	    (rc = check_tristate(iface, "tap_create", p->tap_create)) ||
	    (rc = check_tristate(iface, "offload", p->offload)) ||
	    (rc = check_tristate(iface, "slirp_ipv6", p->slirp_ipv6)) ||
	    (rc = check_tristate(iface, "slirp_restrict", p->slirp_restrict)))
		return rc;
	return 0;
}
