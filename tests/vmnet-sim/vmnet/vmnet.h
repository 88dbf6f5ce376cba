/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmnet/vmnet.h - simulated vmnet.framework: the subset be_vmnet.c uses
 *
 * For Linux tests only, never installed. Names, values, types and
 * signatures follow Apple's <vmnet/vmnet.h> (macOS 11 SDK and later); the
 * contract tests/vmnet-sim/sim.c keeps is Apple's documented one: start and
 * stop complete asynchronously on the caller's queue, at most 200 packets
 * and 256 KiB per read or write, one iovec per packet.
 */
#ifndef SQN_SIM_VMNET_H
#define SQN_SIM_VMNET_H

#include <stdint.h>
#include <sys/uio.h>

#include <dispatch/dispatch.h>
#include <xpc/xpc.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
	VMNET_SUCCESS = 1000,
	VMNET_FAILURE = 1001,
	VMNET_MEM_FAILURE = 1002,
	VMNET_INVALID_ARGUMENT = 1003,
	VMNET_SETUP_INCOMPLETE = 1004,
	VMNET_INVALID_ACCESS = 1005,
	VMNET_PACKET_TOO_BIG = 1006,
	VMNET_BUFFER_EXHAUSTED = 1007,
	VMNET_TOO_MANY_PACKETS = 1008,
	VMNET_SHARING_SERVICE_BUSY = 1009,
} vmnet_return_t;

typedef enum {
	VMNET_HOST_MODE = 1000,
	VMNET_SHARED_MODE = 1001,
	VMNET_BRIDGED_MODE = 1002,
} operating_modes_t;

typedef enum {
	VMNET_INTERFACE_PACKETS_AVAILABLE = 1 << 0,
} interface_event_t;

typedef struct vmnet_interface *interface_ref;

/**
 * struct vmpktdesc - one packet for vmnet_read() or vmnet_write()
 * @vm_pkt_size:	in: buffer size (read) or packet size (write);
 *			out (read): the packet's size
 * @vm_pkt_iov:		the buffer: exactly one iovec
 * @vm_pkt_iovcnt:	number of iovecs: must be 1
 * @vm_flags:		0
 */
struct vmpktdesc {
	size_t vm_pkt_size;
	struct iovec *vm_pkt_iov;
	uint32_t vm_pkt_iovcnt;
	uint32_t vm_flags;
};

/* interface descriptor keys */
extern const char *vmnet_operation_mode_key;
extern const char *vmnet_interface_id_key;
extern const char *vmnet_shared_interface_name_key;
extern const char *vmnet_enable_isolation_key;
/* descriptor (request) and start parameters (answer) */
extern const char *vmnet_mtu_key;
/* start parameters */
extern const char *vmnet_mac_address_key;
extern const char *vmnet_max_packet_size_key;
extern const char *vmnet_start_address_key;
extern const char *vmnet_end_address_key;
extern const char *vmnet_subnet_mask_key;
/* event dictionary */
extern const char *vmnet_estimated_packets_available_key;

interface_ref vmnet_start_interface(
	xpc_object_t interface_desc, dispatch_queue_t queue,
	void (^handler)(vmnet_return_t status, xpc_object_t interface_param));

vmnet_return_t vmnet_interface_set_event_callback(
	interface_ref interface, interface_event_t event_mask,
	dispatch_queue_t queue,
	void (^callback)(interface_event_t event_mask, xpc_object_t event));

vmnet_return_t vmnet_read(interface_ref interface, struct vmpktdesc *packets,
			  int *pktcnt);

vmnet_return_t vmnet_write(interface_ref interface, struct vmpktdesc *packets,
			   int *pktcnt);

vmnet_return_t vmnet_stop_interface(interface_ref interface,
				    dispatch_queue_t queue,
				    void (^handler)(vmnet_return_t status));

#ifdef __cplusplus
}
#endif

#endif /* SQN_SIM_VMNET_H */
