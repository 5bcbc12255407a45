/*
 * ric/ric_int.h -- the RIC's internal data model, shared by its modules (kz__ prefix).
 *
 * Why one header: the modules are one object seen from several sides -- e2term.c (E2AP in and
 * out, node registry), subs.c (E2 subscriptions, merged, with their xApp members), xbus.c (xApp
 * sessions, routing of indications and controls), ric.c (lifecycle, config, log, stats),
 * pcap.c (the capture).  The structures and who owns them:
 *
 *   kz_ric ── nodes[]   (kz__node *, by handle = index + 1; never shrinks, a node that leaves keeps
 *        │               its slot so its handle and subscriptions survive a reconnect)
 *        ├─ subs[]      (kz__sub *, by slot; RICrequestID = (1 + slot / 65536, slot % 65536))
 *        ├─ ctls[]      (kz__ctl, pending controls; RICrequestID = (0, slot))
 *        ├─ xapps[]     (kz__xsess *, xApp sessions, alive or in their grace period)
 *        └─ e2 / bus transports (one kz_transport per listen URL)
 *
 *   kz__sub ── members (kz__member list: one per (xApp session, xApp subscription id)); each
 *              member is also on its session's list.  A sub with no member is deleted on the node.
 *
 * Invariants (checked by kz__ric_check() in debug builds of the tests):
 *  - a member is on exactly one sub's list and one session's list;
 *  - a sub in state ACTIVE/PENDING/DELETING belongs to a node that is up;
 *  - subs[slot]->slot == slot.
 */
#ifndef KZ_RIC_INT_H
#define KZ_RIC_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kizuna/arena.h"
#include "kizuna/e2ap.h"
#include "kizuna/loop.h"
#include "kizuna/ric.h"
#include "kizuna/transport.h"

typedef struct kz__node kz__node;
typedef struct kz__sub kz__sub;
typedef struct kz__xsess kz__xsess;
typedef struct kz__member kz__member;

/* ---- E2 side -------------------------------------------------------------------------------- */
typedef struct kz__fn {
    uint16_t id, rev;
    char *oid;
    uint8_t *def;
    size_t def_len;
} kz__fn;

/* One E2 association (ud of its kz_assoc). */
typedef struct kz__e2conn {
    struct kz__e2conn *prev, *next;   /* ric->e2conns */
    kz_ric *ric;
    kz_assoc *as;
    kz__node *node;             /* after a successful E2 setup */
    kz_timer setup_timer;       /* E2 setup must come within setup_wait_ms */
    uint64_t bad;               /* malformed PDUs from this association */
    int64_t ei_credit;          /* ErrorIndication budget, ns of credit (see e2term.c ei_allowed) */
    int64_t ei_last;            /* loop time of the last refill */
} kz__e2conn;

struct kz__node {
    uint32_t id;                /* handle = index in ric->nodes + 1 */
    char name[96];
    bool up;
    bool known;                 /* false: slot freed by E2 removal */
    kz__e2conn *conn;
    kz__fn *fns;
    size_t nfns;
    kz__sub *subs;              /* list through kz__sub.node_next */
    uint32_t nsubs;
    int64_t reset_tid;          /* RIC-initiated reset in progress: its transaction id, else -1 */
    kz_timer reset_timer;
    uint8_t next_tid;
};

/* ---- subscriptions -------------------------------------------------------------------------- */
enum kz__sub_state {
    KZ__SUB_PENDING = 1,        /* request sent, waiting (timer runs) */
    KZ__SUB_ACTIVE,             /* the node admitted it */
    KZ__SUB_SUSPENDED,          /* node down: re-sent when it comes back */
    KZ__SUB_DELETING,           /* delete request sent (no members any more) */
};

typedef struct kz__action {
    uint16_t id;
    uint8_t type;
    const uint8_t *def;         /* into sub->key */
    size_t def_len;
} kz__action;

struct kz__sub {
    kz_ric *ric;
    uint32_t slot;
    kz__node *node;
    kz__sub *node_next;
    uint16_t ranf;
    enum kz__sub_state state;
    /* the request as the xApp bus carried it, from ranf on: the merge key */
    uint8_t *key;
    size_t key_len;
    uint64_t hash;
    const uint8_t *trigger;     /* into key */
    size_t trigger_len;
    kz__action actions[16];
    uint8_t nactions;
    uint16_t admitted[16];
    uint8_t nadmitted;
    uint32_t tries;
    kz_timer timer;
    kz__member *members;        /* through kz__member.sub_next */
    uint32_t nmembers;
};

struct kz__member {
    kz__sub *sub;
    kz__xsess *sess;
    uint32_t xsub;              /* the xApp's id */
    kz__member *sub_next, *sess_next;
};

/* ---- controls ------------------------------------------------------------------------------- */
typedef struct kz__ctl {
    bool used;
    uint16_t gen;
    kz__xsess *sess;
    uint32_t corr;
    uint32_t node_id;
    uint16_t ranf;
    kz_timer timer;
} kz__ctl;

#define KZ__MAX_CTLS 4096

/* ---- xApp bus ------------------------------------------------------------------------------- */
typedef struct kz__bus {
    kz_ric *ric;
    kz_transport *tr;
    bool need_token;
} kz__bus;

typedef struct kz__xconn {
    struct kz__xconn *prev, *next;    /* ric->xconns */
    kz_ric *ric;
    kz__bus *bus;
    kz_assoc *as;
    kz__xsess *sess;            /* after HELLO */
    kz_timer hello_timer;
} kz__xconn;

struct kz__xsess {
    kz_ric *ric;
    uint64_t session;
    char name[64];
    kz__xconn *conn;            /* NULL while in the grace period */
    kz__member *members;
    uint32_t nmembers;
    kz_timer grace;
    uint64_t indications, dropped;
    bool gone;                  /* grace expired: freed on the sweep */
};

/* ---- the RIC -------------------------------------------------------------------------------- */
struct kz_ric {
    kz_loop *loop;
    kz_ric_cfg cfg;
    char **strs;                /* copies of cfg strings */
    size_t nstrs;
    kz_transport **e2tr;
    size_t ne2tr;
    kz__bus *bus;
    size_t nbus;
    bool shutting_down;

    kz__e2conn *e2conns;
    kz__xconn *xconns;
    kz__node **nodes;           /* each allocated once: pointers to nodes stay valid */
    size_t nnodes, capnodes;
    kz__sub **subs;
    size_t capsubs;
    uint32_t nsubs;
    uint32_t sub_cursor;        /* next slot to try: ids are not reused at once */
    kz__ctl *ctls;              /* KZ__MAX_CTLS */
    uint32_t ctl_cursor;
    kz__xsess **xapps;
    size_t nxapps, capxapps;
    uint64_t next_session;

    kz_ric_stats st;
    FILE *log;
    FILE *pcap;
    uint8_t *pcapbuf;           /* one synthesized packet */
    uint32_t pcap_seq;

    /* hot-path buffers, allocated once */
    kz_arena arena;
    uint8_t *arena_mem;
    uint8_t *txbuf;             /* E2AP encodes */
    size_t txcap;
    uint8_t *busbuf;            /* bus messages (IND and the rest) */
    size_t buscap;
};

/* ric.c */
void kz__log(kz_ric *ric, enum kz_ric_log_level lvl, const char *msg, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* e2term.c */
int kz__e2term_open(kz_ric *ric);
void kz__e2term_shutdown(kz_ric *ric);   /* orderly close of every association */
void kz__e2term_close(kz_ric *ric);      /* transports closed, registry freed */
/* Encodes pdu and sends it on the node's association.  0 or a negative code. */
int kz__e2_send(kz_ric *ric, kz__e2conn *c, const kz_e2ap_pdu *pdu);
kz__node *kz__node_by_id(kz_ric *ric, uint32_t id);
const kz__fn *kz__node_fn(const kz__node *n, uint16_t ranf);

/* subs.c */
/* An xApp asks; the answer comes as SUB_STATE on the bus.  key: SUB body from ranf on. */
void kz__subs_request(kz_ric *ric, kz__xsess *s, uint32_t xsub, uint32_t node_id,
                      const uint8_t *key, size_t key_len);
void kz__subs_unsubscribe(kz_ric *ric, kz__xsess *s, uint32_t xsub);
/* Every member of the session leaves (grace expired). */
void kz__subs_drop_session(kz_ric *ric, kz__xsess *s);
kz__sub *kz__subs_by_reqid(kz_ric *ric, int64_t requestor, int64_t instance);
void kz__subs_on_response(kz_ric *ric, kz__node *n, const kz_e2ap_RICsubscriptionResponse *r);
void kz__subs_on_failure(kz_ric *ric, kz__node *n, const kz_e2ap_RICsubscriptionFailure *f);
void kz__subs_on_delete_done(kz_ric *ric, kz__node *n, int64_t requestor, int64_t instance);
void kz__subs_on_delete_required(kz_ric *ric, kz__node *n,
                                 const kz_e2ap_RICsubscriptionDeleteRequired *r);
/* Node down: every sub SUSPENDED (members told), DELETING ones freed. */
void kz__subs_node_down(kz_ric *ric, kz__node *n);
/* Node (back) up: every SUSPENDED sub sent again. */
void kz__subs_node_up(kz_ric *ric, kz__node *n);
/* The node's RAN function went away: its subs end (members told DELETED). */
void kz__subs_function_gone(kz_ric *ric, kz__node *n, uint16_t ranf);
void kz__subs_free_all(kz_ric *ric);

/* xbus.c */
int kz__xbus_open(kz_ric *ric);
void kz__xbus_close(kz_ric *ric);
void kz__xbus_node_event(kz_ric *ric, const kz__node *n);   /* NODE to every xApp */
/* SUB_STATE (state: enum kz_xapp_sub_state) to one xApp, if it is connected. */
void kz__xbus_sub_state(kz_ric *ric, kz__xsess *s, uint32_t xsub, int state, int error,
                        const kz_e2ap_Cause *cause, const uint16_t *adm, size_t nadm);
void kz__xbus_route_indication(kz_ric *ric, kz__sub *sub, const kz_e2ap_RICindication *ind);
void kz__xbus_control_result(kz_ric *ric, uint32_t ctl_slot, int status,
                             const kz_e2ap_Cause *cause, const kz_octets *outcome);
void kz__xbus_shutdown(kz_ric *ric);
bool kz__xbus_idle(const kz_ric *ric);

/* pcap.c: dir 0 received from node, 1 sent to node. */
int kz__pcap_open(kz_ric *ric, const char *path);
void kz__pcap_write(kz_ric *ric, const kz_assoc *as, int dir, const uint8_t *buf, size_t len);
void kz__pcap_close(kz_ric *ric);

/* Cause helpers. */
static inline kz_e2ap_Cause kz__cause(uint32_t group, uint32_t value)
{
    kz_e2ap_Cause c;
    c.present = group;
    c.u.ricRequest = value;   /* every alternative is a uint32_t index */
    return c;
}

#endif
