/*
 * kizuna/xapp.h -- the xApp SDK (libkizuna-xapp, CMake target kz_xapp): one header, everything an
 * xApp needs to talk to a Kizuna near-RT RIC.
 *
 * Why: an xApp wants "tell me which E2 nodes exist, send me these measurements, apply this
 * control" -- not E2AP, request ids, reconnects and re-subscriptions.  The RIC terminates E2AP and
 * routes the E2SM payloads as received (DESIGN.md principle 3); this SDK speaks the RIC's xApp bus
 * and hands those payloads over untouched, so the E2SM helpers (kizuna/e2sm_kpm.h,
 * kizuna/e2sm_rc.h, kizuna/e2sm_ccc.h) work on them directly:
 *
 *     static void on_ind(kz_xapp *x, const kz_xapp_indication *ind, void *ud) {
 *         kz_kpm_E2SM_KPM_IndicationHeader *h; kz_kpm_E2SM_KPM_IndicationMessage *m;
 *         kz_kpm_decode_header(ind->hdr, ind->hdr_len, &arena, &h);
 *         kz_kpm_decode_message(ind->msg, ind->msg_len, &arena, &m);
 *         ... kz_kpm_iter_init(&it, h, m, ...) ...
 *     }
 *
 * Model:
 *  - A kz_xapp is one connection to one RIC, on the caller's kz_loop (the SDK runs no thread of
 *    its own).  Bus URLs: "unix:///run/kizuna/xapp.sock" (local), "tcp://host:port" (remote; the
 *    RIC asks for the shared token), "mem://name" (same process, the simulator's network).
 *  - Nodes: the RIC announces every E2 node with its RAN functions (id, revision, OID, the encoded
 *    RAN function definition).  A node keeps its kz_xapp_node.id while it comes and goes; on_node
 *    reports each up/down transition.  After a (re)connect the RIC announces every node again.
 *  - Subscriptions belong to the SDK, not to the connection: kz_xapp_subscribe() returns an id at
 *    once; the RIC answers later (on_state ACTIVE or FAILED).  If the bus drops, the SDK reconnects
 *    (exponential backoff) and re-subscribes by itself; if the node drops, the RIC re-establishes
 *    the E2 subscription when it returns (on_state SUSPENDED, then ACTIVE).  Identical requests
 *    from several xApps share one E2 subscription inside the RIC; each xApp still sees its own id.
 *  - Controls: kz_xapp_control() sends one RIC control request and calls back exactly once with
 *    the node's acknowledge or failure, or KZ_ETIMEOUT / KZ_ECLOSED.
 *
 * Guarantees:
 *  - Every callback runs on the loop thread, never inside the kz_xapp_* call that caused it.
 *  - A call that takes a callback and returns an error never calls it.  A call that returned 0
 *    calls its callback exactly once (control) or until the subscription ends (state events,
 *    the last one FAILED or DELETED); kz_xapp_close() ends them all without calling back.
 *  - Pointers handed to callbacks (payloads, node data) are valid only during the callback.
 *  - Memory: the SDK copies what it needs from requests; indications are delivered from the
 *    transport's receive buffer without copying or allocating.
 *  - Errors are negative codes from kizuna/error.h.
 */
#ifndef KIZUNA_XAPP_H
#define KIZUNA_XAPP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kizuna/loop.h"

typedef struct kz_xapp kz_xapp;

/* ---- discovery --------------------------------------------------------------------------------- */

typedef struct kz_xapp_ran_function {
    uint16_t id;              /* RANfunctionID (0..4095) */
    uint16_t revision;
    const char *oid;          /* NUL-terminated, e.g. KZ_KPM_OID */
    const uint8_t *def;       /* encoded RAN function definition (E2SM-specific) */
    size_t def_len;
} kz_xapp_ran_function;

typedef struct kz_xapp_node {
    uint32_t id;              /* RIC-assigned handle, stable across reconnects of the node */
    const char *name;         /* the global E2 node id as text, e.g. "gnb/00101/0x00000e00" */
    bool up;
    size_t n_functions;
    const kz_xapp_ran_function *functions;
} kz_xapp_node;

/* Nodes known now (up or down).  The pointers are valid until the next loop turn. */
size_t kz_xapp_node_count(const kz_xapp *x);
const kz_xapp_node *kz_xapp_node_at(const kz_xapp *x, size_t i);
const kz_xapp_node *kz_xapp_node_find(const kz_xapp *x, uint32_t node_id);
/* The node's first RAN function with this OID (NULL if none). */
const kz_xapp_ran_function *kz_xapp_node_function_by_oid(const kz_xapp_node *n, const char *oid);

/* ---- connection ---------------------------------------------------------------------------------- */

typedef struct kz_xapp_cbs {
    /* The bus came up (connected, authenticated) or went down (the SDK will reconnect). */
    void (*on_connection)(kz_xapp *x, bool up, void *ud);
    /* A node came up (again) or went down.  On up, n->functions is the node's current list. */
    void (*on_node)(kz_xapp *x, const kz_xapp_node *n, bool up, void *ud);
} kz_xapp_cbs;

typedef struct kz_xapp_cfg {
    const char *url;            /* bus URL (required) */
    const char *name;           /* xApp name shown in the RIC's logs ("xapp" if NULL) */
    const char *token;          /* shared token for tcp:// (NULL: none) */
    uint32_t reconnect_min_ms;  /* first reconnect delay (default 100) */
    uint32_t reconnect_max_ms;  /* backoff cap (default 5000) */
    uint32_t request_timeout_ms;/* subscribe answer wait before FAILED(KZ_ETIMEOUT) (10000) */
    uint32_t control_timeout_ms;/* default control timeout (2000) */
    size_t max_msg;             /* largest bus message accepted (default 256 KiB) */
    size_t sndq_bytes;          /* send queue bound towards the RIC (default 1 MiB) */
    size_t rcvbuf_bytes;        /* receive buffer (0: the transport's, 256 KiB).  Over mem:// it
                                   is the window the RIC may have in flight to this xApp, so it
                                   bounds the indication burst the xApp takes without drops */
} kz_xapp_cfg;

void kz_xapp_cfg_default(kz_xapp_cfg *cfg);

/* Starts connecting at once.  cfg strings are copied; cbs is copied.
 * Errors: KZ_EINVAL (no url, unknown scheme), KZ_ENOMEM. */
int kz_xapp_open(kz_xapp **out, kz_loop *loop, const kz_xapp_cfg *cfg, const kz_xapp_cbs *cbs,
                 void *ud);
/* Closes the connection (the RIC removes this xApp's subscriptions after its grace period; use
 * kz_xapp_unsubscribe first for an immediate delete), drops every pending callback, frees x. */
void kz_xapp_close(kz_xapp *x);
bool kz_xapp_connected(const kz_xapp *x);

/* ---- subscriptions ------------------------------------------------------------------------------ */

enum kz_xapp_action_type { KZ_XAPP_ACTION_REPORT = 0, KZ_XAPP_ACTION_INSERT = 1,
                           KZ_XAPP_ACTION_POLICY = 2 };

typedef struct kz_xapp_action {
    uint16_t id;                /* RICactionID (0..255) */
    uint8_t type;               /* enum kz_xapp_action_type */
    const uint8_t *def;         /* encoded E2SM action definition (NULL/0: none) */
    size_t def_len;
} kz_xapp_action;

typedef struct kz_xapp_sub_req {
    uint32_t node;              /* kz_xapp_node.id */
    uint16_t ran_function;      /* RANfunctionID */
    const uint8_t *trigger;     /* encoded E2SM event trigger definition */
    size_t trigger_len;
    const kz_xapp_action *actions;
    size_t n_actions;           /* 1..16 */
} kz_xapp_sub_req;

/* E2AP Cause as (group, value): group is the Cause CHOICE index (1 ricRequest, 2 ricService,
 * 3 e2Node, 4 transport, 5 protocol, 6 misc), value the enumerated index within it; group 0: none. */
typedef struct kz_xapp_cause {
    uint8_t group;
    uint8_t value;
} kz_xapp_cause;

enum kz_xapp_sub_state {
    KZ_XAPP_SUB_ACTIVE = 1,     /* the node accepted it; indications flow */
    KZ_XAPP_SUB_SUSPENDED,      /* node or bus down; the RIC/SDK restore it by themselves */
    KZ_XAPP_SUB_FAILED,         /* refused (cause) or timed out; the subscription is over */
    KZ_XAPP_SUB_DELETED,        /* unsubscribed or deleted by the node; the subscription is over */
};

typedef struct kz_xapp_sub_event {
    uint32_t sub;               /* the id kz_xapp_subscribe gave */
    enum kz_xapp_sub_state state;
    int error;                  /* FAILED: KZ_EPROTO (node refused; see cause), KZ_ETIMEOUT,
                                 * KZ_EINVAL (unknown node / function); else 0 */
    kz_xapp_cause cause;
    size_t n_admitted;          /* ACTIVE: action ids the node admitted */
    const uint16_t *admitted;
} kz_xapp_sub_event;

typedef struct kz_xapp_indication {
    uint32_t sub;               /* this xApp's subscription id */
    uint32_t node;
    uint16_t ran_function;
    uint16_t action;            /* RICactionID */
    int64_t sn;                 /* RICindicationSN, -1 if absent */
    uint8_t type;               /* 0 report, 1 insert */
    const uint8_t *hdr;         /* E2SM indication header, as the node sent it */
    size_t hdr_len;
    const uint8_t *msg;         /* E2SM indication message, as the node sent it */
    size_t msg_len;
    const uint8_t *call_process_id; /* NULL if absent */
    size_t call_process_id_len;
    int64_t ric_rx_ns;          /* when the RIC received it (RIC loop time; latency probes) */
} kz_xapp_indication;

typedef struct kz_xapp_sub_cbs {
    void (*on_state)(kz_xapp *x, const kz_xapp_sub_event *ev, void *ud);
    void (*on_indication)(kz_xapp *x, const kz_xapp_indication *ind, void *ud);
} kz_xapp_sub_cbs;

/* Asks for a subscription; *sub_out gets its id at once.  Works while disconnected too (sent on
 * connect).  Errors: KZ_EINVAL (no actions, > 16 actions, payload > 64 KiB), KZ_ENOMEM. */
int kz_xapp_subscribe(kz_xapp *x, const kz_xapp_sub_req *req, const kz_xapp_sub_cbs *cbs,
                      void *ud, uint32_t *sub_out);
/* Ends a subscription: on_state DELETED follows once the RIC confirms (or at once when
 * disconnected).  Errors: KZ_EINVAL (unknown id). */
int kz_xapp_unsubscribe(kz_xapp *x, uint32_t sub);

/* ---- control -------------------------------------------------------------------------------------- */

typedef struct kz_xapp_control_req {
    uint32_t node;
    uint16_t ran_function;
    const uint8_t *hdr;         /* encoded E2SM control header */
    size_t hdr_len;
    const uint8_t *msg;         /* encoded E2SM control message */
    size_t msg_len;
    const uint8_t *call_process_id; /* NULL: none */
    size_t call_process_id_len;
    bool ack;                   /* RICcontrolAckRequest ack (false: noAck -> result at send) */
    uint32_t timeout_ms;        /* 0: cfg.control_timeout_ms */
} kz_xapp_control_req;

typedef struct kz_xapp_control_result {
    int status;                 /* 0 acknowledged (or sent, for noAck); KZ_EPROTO the node answered
                                 * RICcontrolFailure (cause); KZ_ETIMEOUT; KZ_ECLOSED (bus or node
                                 * down); KZ_EINVAL (unknown node/function); KZ_EAGAIN (RIC busy) */
    kz_xapp_cause cause;
    const uint8_t *outcome;     /* RICcontrolOutcome, NULL if absent */
    size_t outcome_len;
} kz_xapp_control_result;

typedef void (*kz_xapp_control_cb)(kz_xapp *x, const kz_xapp_control_result *r, void *ud);

/* Sends a control now.  Errors: KZ_ECLOSED (bus not up), KZ_EAGAIN (bus send queue full),
 * KZ_EINVAL, KZ_ENOMEM. */
int kz_xapp_control(kz_xapp *x, const kz_xapp_control_req *req, kz_xapp_control_cb cb, void *ud);

/* ---- statistics ------------------------------------------------------------------------------------ */

typedef struct kz_xapp_stats {
    uint64_t indications;       /* delivered to callbacks */
    uint64_t connects;          /* successful (re)connections */
    uint64_t controls_sent, controls_ok, controls_failed;
    uint64_t bad_msgs;          /* undecodable bus messages (ignored) */
    uint64_t ric_dropped;       /* indications the RIC dropped for this xApp (last report) */
} kz_xapp_stats;
void kz_xapp_stats_get(const kz_xapp *x, kz_xapp_stats *st);

#endif
