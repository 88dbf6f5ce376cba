/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sni.h - the server name of a TLS ClientHello (pure)
 */
#ifndef SQN_SNI_H
#define SQN_SNI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** SQN_SNI_NAME_MAX - longest host name returned (RFC 6066: a DNS name) */
#define SQN_SNI_NAME_MAX 253

/**
 * enum sqn_sni_result - what the start of a TLS stream says
 * @SQN_SNI_NOT_HELLO:	not a TLS handshake record holding a ClientHello
 * @SQN_SNI_MORE:	a ClientHello, cut before its server name extension
 *			or its end: give more of the stream
 * @SQN_SNI_NONE:	a complete ClientHello without a host name
 * @SQN_SNI_FOUND:	the host name is in the caller's buffer
 * @SQN_SNI_BAD:	a ClientHello that breaks its own lengths, a host
 *			name that is not a DNS name, or a ClientHello that
 *			spans TLS records
 */
enum sqn_sni_result {
	SQN_SNI_NOT_HELLO,
	SQN_SNI_MORE,
	SQN_SNI_NONE,
	SQN_SNI_FOUND,
	SQN_SNI_BAD,
};

enum sqn_sni_result sqn_sni_parse(const uint8_t *data, size_t len, char *name,
				  size_t cap, bool *ech);

#endif /* SQN_SNI_H */
