/*
 * kizuna/ric.h -- the near-RT RIC as a library: E2 termination, node registry, subscription
 * manager, indication/control routing and the xApp bus, on a caller's kz_loop.
 *
 * Why a library: `kizuna ric` is this plus flags, a config file and signals; `kizuna demo` runs
 * the same RIC, the emulator and xApps in ONE process on the simulator's virtual-clock loop with
 * mem:// transports; the tests drive it the same way.  Nothing here reads the time, sleeps or
 * keeps global state: it all goes through the loop (DESIGN.md principle 2).
 *
 *     kz_ric_cfg cfg; kz_ric_cfg_default(&cfg);
 *     const char *e2[] = {"mem://ric-e2"}, *bus[] = {"mem://ric-xapp"};
 *     cfg.e2_listen = e2;   cfg.n_e2_listen = 1;
 *     cfg.bus_listen = bus; cfg.n_bus_listen = 1;
 *     kz_ric *ric; kz_ric_open(&ric, kz_sim_loop(sim), &cfg);
 *     ... E2 agents connect to mem://ric-e2, xApps (kz_xapp_open) to mem://ric-xapp ...
 *     kz_ric_close(ric);
 *
 * Guarantees:
 *  - Every E2AP procedure the RIC starts has a timeout and a bounded retry; every answer reaches
 *    the xApp that asked (success, failure with cause, or KZ_ETIMEOUT).
 *  - Malformed or unexpected input from an E2 node is answered with ErrorIndication (cause +
 *    criticality diagnostics) and counted; it never stops the RIC.
 *  - Indications are routed without decoding the E2SM payload and without malloc; each xApp has a
 *    bounded queue (cfg.xapp_queue_bytes); when it is full that xApp's indications are dropped and
 *    counted, and the other xApps are not slowed.
 *  - A node that reconnects (same global E2 node id) gets its subscriptions re-established; an
 *    xApp that disconnects keeps its subscriptions for cfg.xapp_grace_ms, then they are deleted.
 *  - Caller owns the loop; kz_ric_close() releases everything the RIC opened on it.
 */
#ifndef KIZUNA_RIC_H
#define KIZUNA_RIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kizuna/loop.h"

typedef struct kz_ric kz_ric;

enum kz_ric_log_level { KZ_RIC_LOG_ERROR = 0, KZ_RIC_LOG_WARN, KZ_RIC_LOG_INFO, KZ_RIC_LOG_DEBUG };

typedef struct kz_ric_cfg {
    /* E2 listen URLs: "sctp://0.0.0.0:36421", "sctp+udp://0.0.0.0:9899", "mem://ric-e2". */
    const char *const *e2_listen;
    size_t n_e2_listen;
    /* xApp bus listen URLs: "unix:///run/kizuna/xapp.sock", "tcp://0.0.0.0:4560", "mem://...". */
    const char *const *bus_listen;
    size_t n_bus_listen;
    const char *bus_token;       /* shared token that tcp:// xApps must present (NULL: none) */

    /* GlobalRIC-ID sent in E2 setup responses. */
    uint8_t plmn[3];             /* BCD PLMN identity (default 00 F1 10 = MCC 001, MNC 01) */
    uint32_t ric_id;             /* 20-bit RIC id (default 1) */

    /* Admission: when n_allow > 0, only nodes matching an entry are accepted (others get
     * E2setupFailure, cause misc/om-intervention; docs/ric.md).  An entry is a PLMN as 5 or 6
     * digits "00101", or a node name as kz_ric reports it ("gnb/00101/0x00000e00"). */
    const char *const *allow;
    size_t n_allow;

    /* Timeouts and bounds (0 in a field: its default). */
    uint32_t setup_wait_ms;      /* an association must send E2 setup within this (5000) */
    uint32_t sub_timeout_ms;     /* wait for subscription response/failure (2000) */
    uint32_t sub_retries;        /* resend a timed-out subscription request (2) */
    uint32_t del_timeout_ms;     /* wait for subscription delete response (2000) */
    uint32_t control_timeout_ms; /* default when the xApp gives none (2000) */
    uint32_t xapp_grace_ms;      /* keep a disconnected xApp's subscriptions (10000) */
    uint32_t reset_timeout_ms;   /* wait for a node's ResetResponse (2000) */
    size_t xapp_queue_bytes;     /* per-xApp bus send queue (1 MiB) */
    size_t max_msg;              /* largest E2AP / bus message accepted (256 KiB) */
    uint32_t max_nodes;          /* registry bound (65536) */
    uint32_t max_subs;           /* E2 subscriptions bound (65536) */

    /* Observability. */
    enum kz_ric_log_level log_level;  /* default INFO */
    FILE *log;                   /* logfmt lines; NULL: stderr */
    const char *pcap_path;       /* write every E2AP message sent/received here (NULL: off) */
} kz_ric_cfg;

void kz_ric_cfg_default(kz_ric_cfg *cfg);

/* Opens the RIC on loop and starts listening.  cfg strings are copied.  Errors: KZ_EINVAL (bad
 * URL or config), KZ_ENOTSUP (backend not available here), KZ_EIO (bind/listen, pcap file),
 * KZ_EAGAIN (mem:// name taken), KZ_ENOMEM.  On error nothing stays registered on the loop. */
int kz_ric_open(kz_ric **out, kz_loop *loop, const kz_ric_cfg *cfg);

/* Orderly stop: stops accepting, closes every E2 association and xApp connection (peers see an
 * orderly SCTP shutdown / socket close).  The loop must then run until kz_ric_idle() is true (or a
 * deadline), then kz_ric_close(). */
void kz_ric_shutdown(kz_ric *ric);
bool kz_ric_idle(const kz_ric *ric);

/* Aborts whatever is still open and frees the RIC (no callbacks afterwards). */
void kz_ric_close(kz_ric *ric);

/* ---- introspection (tests, `kizuna ric` status lines, the future REST API) ----------------- */

typedef struct kz_ric_stats {
    uint64_t e2_msgs_rx, e2_msgs_tx;
    uint64_t e2_bad_pdus;          /* undecodable or unexpected: answered with ErrorIndication */
    uint64_t e2_error_ind_rx;      /* ErrorIndications received from nodes */
    uint64_t setups_ok, setups_refused, nodes_replaced;
    uint64_t indications_rx;       /* RICindications received */
    uint64_t indications_routed;   /* copies delivered to xApp queues */
    uint64_t indications_dropped;  /* copies dropped: an xApp queue was full */
    uint64_t indications_orphan;   /* for no known subscription */
    uint64_t subs_requested, subs_ok, subs_failed, subs_timeouts, subs_retries;
    uint64_t subs_deleted, subs_restored, subs_merged;
    uint64_t controls_tx, controls_ok, controls_failed, controls_timeout;
    uint64_t xapps_connected, xapps_expired, bus_bad_msgs;
    uint32_t nodes_up, nodes_known, xapps_up, e2_subs;
    uint64_t e2_error_ind_suppressed; /* ErrorIndications not sent: the node's budget was spent
                                       * (a flood of bad PDUs is answered at a bounded rate) */
    uint64_t service_queries;      /* RICserviceQuery sent (kz_ric_query_node) */
} kz_ric_stats;
void kz_ric_stats_get(const kz_ric *ric, kz_ric_stats *st);

/* A node as the registry holds it. */
typedef struct kz_ric_node_info {
    uint32_t id;                   /* handle, as xApps see it */
    const char *name;              /* "gnb/00101/0x00000e00" */
    bool up;
    size_t n_functions;
    uint32_t n_subs;               /* E2 subscriptions on this node */
} kz_ric_node_info;
size_t kz_ric_node_count(const kz_ric *ric);
/* Fills *out for the i-th node (0 .. count-1); false past the end.  Pointers valid until the next
 * loop turn. */
bool kz_ric_node_get(const kz_ric *ric, size_t i, kz_ric_node_info *out);

/* Per-xApp drop counter (what a slow xApp lost), by bus connection order; false past the end. */
typedef struct kz_ric_xapp_info {
    const char *name;
    bool connected;
    uint32_t n_subs;
    uint64_t indications, dropped;
} kz_ric_xapp_info;
size_t kz_ric_xapp_count(const kz_ric *ric);
bool kz_ric_xapp_get(const kz_ric *ric, size_t i, kz_ric_xapp_info *out);

/* Sends ResetRequest to a node (RIC-initiated reset: every subscription on it is dropped and then
 * re-established).  Errors: KZ_EINVAL (unknown node), KZ_ECLOSED (node down). */
int kz_ric_reset_node(kz_ric *ric, uint32_t node_id);

/* Sends RICserviceQuery to a node with the RAN functions (id, revision) the RIC holds for it; the
 * node answers with a RICserviceUpdate (handled like a node-initiated one: acknowledged, xApps get
 * a NODE event).  Errors: KZ_EINVAL (unknown node), KZ_ECLOSED (node down), KZ_EAGAIN (queue). */
int kz_ric_query_node(kz_ric *ric, uint32_t node_id);

#endif
