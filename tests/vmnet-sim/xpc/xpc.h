/* SPDX-License-Identifier: Apache-2.0 */
/*
 * xpc/xpc.h - simulated XPC objects: the dictionary subset be_vmnet.c uses
 *
 * For Linux tests only, never installed. Signatures as in Apple's C API
 * (xpc_object_t is a plain pointer outside Objective-C). A getter on a
 * missing key, or on a key of another type, returns 0 / false / NULL, as
 * Apple documents.
 */
#ifndef SQN_SIM_XPC_H
#define SQN_SIM_XPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Apple's xpc.h gets uuid_t from <uuid/uuid.h>; libuuid's is the same */
typedef unsigned char uuid_t[16];

typedef void *xpc_object_t;

xpc_object_t xpc_dictionary_create(const char *const *keys,
				   const xpc_object_t *values, size_t count);
void xpc_dictionary_set_uint64(xpc_object_t xdict, const char *key,
			       uint64_t value);
void xpc_dictionary_set_bool(xpc_object_t xdict, const char *key, bool value);
void xpc_dictionary_set_string(xpc_object_t xdict, const char *key,
			       const char *string);
void xpc_dictionary_set_uuid(xpc_object_t xdict, const char *key,
			     const uuid_t uuid);
uint64_t xpc_dictionary_get_uint64(xpc_object_t xdict, const char *key);
bool xpc_dictionary_get_bool(xpc_object_t xdict, const char *key);
const char *xpc_dictionary_get_string(xpc_object_t xdict, const char *key);
const uint8_t *xpc_dictionary_get_uuid(xpc_object_t xdict, const char *key);
xpc_object_t xpc_dictionary_get_value(xpc_object_t xdict, const char *key);

xpc_object_t xpc_retain(xpc_object_t object);
void xpc_release(xpc_object_t object);

#ifdef __cplusplus
}
#endif

#endif /* SQN_SIM_XPC_H */
