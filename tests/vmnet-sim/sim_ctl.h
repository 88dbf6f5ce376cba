/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim_ctl.h - test-only control of the simulated vmnet.framework
 *
 * What a test needs that the real framework cannot give: failures to
 * inject, frames to push toward the guest, and a record of what the backend
 * asked for (the last descriptor, the largest read and write it made).
 *
 * The simulated networks: shared and host mode ports share a segment whose
 * gateway is 192.168.64.1 (SIM_NAT_*); bridged ports share a segment per host
 * interface name, a simulated LAN whose router is 192.168.1.1 (SIM_LAN_*).
 * Both gateways answer ARP, ICMP echo and DHCP (192.168.64.2.. and
 * 192.168.1.100.., /24, the gateway as router and DNS server).
 */
#ifndef SQN_SIM_CTL_H
#define SQN_SIM_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vmnet/vmnet.h>

#ifdef __cplusplus
extern "C" {
#endif

/* sim_ctl_omit_keys() flags: start parameters left out of the answer */
#define SIM_OMIT_MTU (1u << 0)
#define SIM_OMIT_MAX_PACKET (1u << 1)
#define SIM_OMIT_MAC (1u << 2)

/** SIM_NAT_GW - shared and host mode: the gateway (vmnet's default net) */
#define SIM_NAT_GW "192.168.64.1"
/** SIM_NAT_FIRST - shared and host mode: the first address DHCP leases */
#define SIM_NAT_FIRST 2
/** SIM_LAN_GW - bridged mode: the simulated LAN's router */
#define SIM_LAN_GW "192.168.1.1"
/** SIM_LAN_FIRST - bridged mode: the first address the router leases */
#define SIM_LAN_FIRST 100

/** SIM_RXQ_LEN - packets an interface holds for the guest before drops */
#define SIM_RXQ_LEN 1024
/** SIM_MAX_PACKETS - Apple's per-call packet limit */
#define SIM_MAX_PACKETS 200
/** SIM_MAX_BYTES - Apple's per-call byte limit */
#define SIM_MAX_BYTES (256 * 1024)

/**
 * struct sim_desc - the last interface descriptor vmnet_start_interface() got
 * @has_mode:		vmnet_operation_mode_key present
 * @mode:		its value
 * @has_id:		vmnet_interface_id_key present, as a UUID
 * @id:			its canonical text, 36 characters, lower case
 * @has_mtu:		vmnet_mtu_key present
 * @mtu:		its value
 * @has_name:		vmnet_shared_interface_name_key present
 * @name:		its value
 * @has_isolation:	vmnet_enable_isolation_key present
 * @isolation:		its value
 * @nkeys:		number of keys in the descriptor
 */
struct sim_desc {
	bool has_mode;
	uint64_t mode;
	bool has_id;
	char id[37];
	bool has_mtu;
	uint64_t mtu;
	bool has_name;
	char name[64];
	bool has_isolation;
	bool isolation;
	unsigned nkeys;
};

/**
 * struct sim_stats - counters since the last sim_ctl_reset()
 * @starts:		vmnet_start_interface() calls that returned a handle
 * @stops:		vmnet_stop_interface() calls
 * @live:		handles started and not yet stopped (all time)
 * @read_calls:		vmnet_read() calls
 * @write_calls:	vmnet_write() calls
 * @max_read_pkts:	most packets one vmnet_read() asked for
 * @max_read_bytes:	most buffer bytes one vmnet_read() offered
 * @max_write_pkts:	most packets one vmnet_write() passed
 * @max_write_bytes:	most bytes one vmnet_write() passed
 * @violations:		calls refused for breaking the contract (iovec
 *			count, limits, short buffers, a handle used after
 *			its stop, a second stop)
 * @too_big:		packets refused with VMNET_PACKET_TOO_BIG
 * @rx_dropped:		packets for a guest dropped, its queue full
 * @events:		event callbacks delivered
 * @last_estimate:	vmnet_estimated_packets_available_key of the last one
 * @tx_packets:		packets vmnet_write() took
 * @start_handlers:	start completion handlers called
 * @stop_handlers:	stop completion handlers called
 * @records:		interface records held now (all time): a record goes
 *			once it is stopped and no block of the simulator
 *			refers to it, except one whose handler is held
 *			forever (an injected hang)
 */
struct sim_stats {
	unsigned starts;
	unsigned stops;
	int live;
	unsigned long read_calls;
	unsigned long write_calls;
	unsigned max_read_pkts;
	size_t max_read_bytes;
	unsigned max_write_pkts;
	size_t max_write_bytes;
	unsigned long violations;
	unsigned long too_big;
	unsigned long rx_dropped;
	unsigned long events;
	uint64_t last_estimate;
	unsigned long tx_packets;
	unsigned long start_handlers;
	unsigned long stop_handlers;
	int records;
};

/**
 * sim_ctl_reset() - clear injected failures and the counters (except live
 *		     and records)
 */
void sim_ctl_reset(void);

/**
 * sim_ctl_start_hang() - vmnet_start_interface() never calls its handler
 * @on:	true to inject
 */
void sim_ctl_start_hang(bool on);

/**
 * sim_ctl_start_fail() - the start handler gets @status instead of success
 * @status:	a vmnet_return_t value, or any number; 0 for none
 */
void sim_ctl_start_fail(uint32_t status);

/**
 * sim_ctl_omit_keys() - leave keys out of the start parameters
 * @mask:	SIM_OMIT_* flags
 */
void sim_ctl_omit_keys(unsigned mask);

/**
 * sim_ctl_start_delay() - the start handler runs @ms late, even after a stop
 * @ms:	the delay; 0 for none
 */
void sim_ctl_start_delay(uint32_t ms);

/**
 * sim_ctl_stop_hang() - vmnet_stop_interface() never calls its handler
 * @on:	true to inject
 */
void sim_ctl_stop_hang(bool on);

/**
 * sim_ctl_stop_delay() - the stop handler runs @ms late
 * @ms:	the delay; 0 for none
 */
void sim_ctl_stop_delay(uint32_t ms);

/**
 * sim_ctl_event_cb_fail() - vmnet_interface_set_event_callback() refuses to
 *			     install a callback with @status
 * @status:	a vmnet_return_t value; 0 for none (removing one still works)
 */
void sim_ctl_event_cb_fail(uint32_t status);

/**
 * sim_ctl_read_fail() - vmnet_read() fails with @status, reading nothing
 * @status:	a vmnet_return_t value; 0 for none
 */
void sim_ctl_read_fail(uint32_t status);

/**
 * sim_ctl_enforce_max_packet() - refuse written packets above @bytes with
 *				  VMNET_PACKET_TOO_BIG, whatever was announced
 * @bytes:	the limit; 0 for the announced max packet size
 */
void sim_ctl_enforce_max_packet(uint32_t bytes);

/**
 * sim_ctl_last_interface() - the handle the last start returned
 *
 * Return: the handle, or NULL
 */
interface_ref sim_ctl_last_interface(void);

/**
 * sim_ctl_inject() - queue @count copies of a frame for the guest
 * @ifr:	the interface
 * @frame:	the frame
 * @len:	its length, at most the interface's max packet size
 * @count:	copies
 *
 * Fires the event callback (asynchronously, on its queue).
 *
 * Return: copies queued (fewer when the queue is full), or -1
 */
int sim_ctl_inject(interface_ref ifr, const void *frame, size_t len,
		   unsigned count);

/**
 * sim_ctl_pending() - packets waiting for the guest
 * @ifr:	the interface
 *
 * Return: the count
 */
unsigned sim_ctl_pending(interface_ref ifr);

/**
 * sim_ctl_open() - start an interface as a plain vmnet client would, and
 *		    wait for the completion (for tests of the simulator itself)
 * @mode:	vmnet_operation_mode_key
 * @mtu:	vmnet_mtu_key; 0 leaves it out
 * @mps:	gets vmnet_max_packet_size_key of the answer
 *
 * Return: the handle, or NULL when the start failed or did not complete
 * within 2 s
 */
interface_ref sim_ctl_open(uint64_t mode, uint64_t mtu, uint64_t *mps);

/**
 * sim_ctl_close() - vmnet_stop_interface() and wait for its completion
 * @ifr:	the handle
 *
 * Return: what vmnet_stop_interface() returned
 */
vmnet_return_t sim_ctl_close(interface_ref ifr);

/**
 * sim_ctl_stats() - copy the counters
 * @s:	filled
 */
void sim_ctl_stats(struct sim_stats *s);

/**
 * sim_ctl_last_desc() - copy the record of the last descriptor
 * @d:	filled
 */
void sim_ctl_last_desc(struct sim_desc *d);

#ifdef __cplusplus
}
#endif

#endif /* SQN_SIM_CTL_H */
