/*
 * tests/ric/test_ric_sim.c -- the RIC in the deterministic simulator: test E2 agents (agent.c)
 * and test xApps (the real SDK over mem://) through every flow of issue 5, failure paths included.
 *
 * Every test runs on virtual time from a seed (KZ_SEED, default 1) with a little latency and
 * jitter, so a failure reproduces with the seed printed at the start.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent.h"
#include "kizuna/error.h"
#include "kizuna/ric.h"
#include "kizuna/sim.h"
#include "kizuna/xapp.h"
#include "ric/ric_int.h"
#include "xapp/wire.h"

#define MS KZ_NS_PER_MS

typedef struct tx {   /* a test xApp */
    kz_xapp *x;
    int conn_up, conn_down, node_up, node_down;
    uint32_t last_node;
    uint32_t sub;
    int active, suspended, failed, deleted;
    int last_error;
    kz_xapp_cause last_cause;
    int inds;
    uint8_t last_msg[64];
    size_t last_msg_len;
    int ctl_done, ctl_status;
    kz_xapp_cause ctl_cause;
    size_t ctl_outcome_len;
} tx;

static struct {
    uint64_t seed;
    kz_sim *sim;
    kz_loop *loop;
    kz_ric *ric;
    FILE *devnull;
} G;

static int64_t now(void) { return kz_loop_now(G.loop); }
static void run_for(int64_t ns) { kz_sim_run_until(G.sim, now() + ns); }

static void on_conn(kz_xapp *x, bool up, void *ud)
{
    tx *t = ud;
    (void)x;
    if (up)
        t->conn_up++;
    else
        t->conn_down++;
}

static void on_node(kz_xapp *x, const kz_xapp_node *n, bool up, void *ud)
{
    tx *t = ud;
    (void)x;
    if (up) {
        t->node_up++;
        t->last_node = n->id;
    } else {
        t->node_down++;
    }
}

static void on_state(kz_xapp *x, const kz_xapp_sub_event *ev, void *ud)
{
    tx *t = ud;
    (void)x;
    switch (ev->state) {
    case KZ_XAPP_SUB_ACTIVE: t->active++; break;
    case KZ_XAPP_SUB_SUSPENDED: t->suspended++; break;
    case KZ_XAPP_SUB_FAILED: t->failed++; break;
    case KZ_XAPP_SUB_DELETED: t->deleted++; break;
    }
    t->last_error = ev->error;
    t->last_cause = ev->cause;
}

static void on_ind(kz_xapp *x, const kz_xapp_indication *ind, void *ud)
{
    tx *t = ud;
    (void)x;
    t->inds++;
    t->last_msg_len = ind->msg_len < sizeof t->last_msg ? ind->msg_len : sizeof t->last_msg;
    memcpy(t->last_msg, ind->msg, t->last_msg_len);
}

static void on_ctl(kz_xapp *x, const kz_xapp_control_result *r, void *ud)
{
    tx *t = ud;
    (void)x;
    t->ctl_done++;
    t->ctl_status = r->status;
    t->ctl_cause = r->cause;
    t->ctl_outcome_len = r->outcome_len;
}

static void tx_open(tx *t, const char *name)
{
    memset(t, 0, sizeof *t);
    kz_xapp_cfg cfg;
    kz_xapp_cfg_default(&cfg);
    cfg.url = "mem://ric-bus";
    cfg.name = name;
    kz_xapp_cbs cbs = {.on_connection = on_conn, .on_node = on_node};
    assert_int_equal(kz_xapp_open(&t->x, G.loop, &cfg, &cbs, t), 0);
}

static const uint8_t TRIGGER[] = {0x01, 0x02, 0x03};
static const uint8_t ACTDEF[] = {0x0a, 0x0b};

static void tx_subscribe(tx *t, uint32_t node, const uint8_t *trig, size_t tl)
{
    kz_xapp_action act = {.id = 1, .type = KZ_XAPP_ACTION_REPORT, .def = ACTDEF, .def_len = 2};
    kz_xapp_sub_req req = {.node = node, .ran_function = 2, .trigger = trig, .trigger_len = tl,
                           .actions = &act, .n_actions = 1};
    kz_xapp_sub_cbs cbs = {.on_state = on_state, .on_indication = on_ind};
    assert_int_equal(kz_xapp_subscribe(t->x, &req, &cbs, t, &t->sub), 0);
}

static int setup(void **state)
{
    (void)state;
    const char *s = getenv("KZ_SEED");
    G.seed = s ? strtoull(s, NULL, 0) : 1;
    kz_sim_cfg sc = {.seed = G.seed, .latency_ns = 100000, .jitter_ns = 50000,
                     .start_epoch_ns = INT64_C(1700000000) * KZ_NS_PER_S};
    assert_int_equal(kz_sim_open(&G.sim, &sc), 0);
    G.loop = kz_sim_loop(G.sim);
    G.devnull = fopen("/dev/null", "w");
    kz_ric_cfg cfg;
    kz_ric_cfg_default(&cfg);
    const char *e2[] = {"mem://ric-e2"}, *bus[] = {"mem://ric-bus"};
    cfg.e2_listen = e2;
    cfg.n_e2_listen = 1;
    cfg.bus_listen = bus;
    cfg.n_bus_listen = 1;
    cfg.log = getenv("KZ_RIC_LOG") ? stderr : G.devnull;
    cfg.log_level = KZ_RIC_LOG_DEBUG;
    cfg.xapp_grace_ms = 3000;
    cfg.sub_timeout_ms = 500;
    cfg.sub_retries = 2;
    cfg.control_timeout_ms = 500;
    cfg.xapp_queue_bytes = 64 * 1024;
    assert_int_equal(kz_ric_open(&G.ric, G.loop, &cfg), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    kz_ric_close(G.ric);
    assert_int_equal(kz_sim_close(G.sim), 0);
    fclose(G.devnull);
    return 0;
}

/* Agent up and set up, xApp connected and subscribed and ACTIVE. */
static void bring_up(agent *ag, tx *t)
{
    agent_open(ag, G.loop, "mem://ric-e2", 0xe00);
    tx_open(t, "t1");
    run_for(50 * MS);
    assert_int_equal(ag->setup_resp, 1);
    assert_int_equal(t->conn_up, 1);
    assert_int_equal(t->node_up, 1);
    tx_subscribe(t, t->last_node, TRIGGER, sizeof TRIGGER);
    run_for(50 * MS);
    assert_int_equal(ag->sub_req, 1);
    assert_int_equal(t->active, 1);
}

/* ---- tests ------------------------------------------------------------------------------------ */
static void test_setup_subscribe_indicate(void **state)
{
    (void)state;
    agent ag;
    tx t;
    bring_up(&ag, &t);
    static const uint8_t hdr[] = {1, 2}, msg[] = {9, 8, 7, 6};
    for (int i = 0; i < 5; i++)
        agent_indicate(&ag, NULL, -1, hdr, 2, msg, 4, i);
    run_for(50 * MS);
    assert_int_equal(t.inds, 5);
    assert_int_equal(t.last_msg_len, 4);
    assert_memory_equal(t.last_msg, msg, 4);
    kz_ric_stats st;
    kz_ric_stats_get(G.ric, &st);
    assert_int_equal(st.nodes_up, 1);
    assert_int_equal(st.indications_routed, 5);
    kz_ric_node_info ni;
    assert_true(kz_ric_node_get(G.ric, 0, &ni));
    assert_string_equal(ni.name, "gnb/00101/0x00000e00");
    assert_int_equal(ni.n_functions, 2);
    /* unsubscribe: DELETED to the xApp, delete on the node */
    assert_int_equal(kz_xapp_unsubscribe(t.x, t.sub), 0);
    run_for(50 * MS);
    assert_int_equal(t.deleted, 1);
    assert_int_equal(ag.del_req, 1);
    kz_ric_stats_get(G.ric, &st);
    assert_int_equal(st.e2_subs, 0);
    /* node teardown: the xApp sees it go */
    kz_assoc_close(ag.as);
    run_for(50 * MS);
    assert_int_equal(t.node_down, 1);
    kz_ric_stats_get(G.ric, &st);
    assert_int_equal(st.nodes_up, 0);
    kz_xapp_close(t.x);
    agent_close(&ag);
}

static void test_merge_fanout(void **state)
{
    (void)state;
    agent ag;
    tx a, b, c;
    bring_up(&ag, &a);
    tx_open(&b, "t2");
    tx_open(&c, "t3");
    run_for(50 * MS);
    tx_subscribe(&b, a.last_node, TRIGGER, sizeof TRIGGER);                 /* identical */
    static const uint8_t other[] = {0x05};
    tx_subscribe(&c, a.last_node, other, sizeof other);                     /* different */
    run_for(50 * MS);
    assert_int_equal(b.active, 1);
    assert_int_equal(c.active, 1);
    assert_int_equal(ag.sub_req, 2);   /* a and b share one */
    kz_ric_stats st;
    kz_ric_stats_get(G.ric, &st);
    assert_int_equal(st.subs_merged, 1);
    assert_int_equal(st.e2_subs, 2);
    kz_e2ap_RICrequestID shared = {.ricRequestorID = 1, .ricInstanceID = 0};
    static const uint8_t msg[] = {1};
    agent_indicate(&ag, &shared, 2, msg, 1, msg, 1, 1);
    run_for(50 * MS);
    assert_int_equal(a.inds, 1);
    assert_int_equal(b.inds, 1);
    assert_int_equal(c.inds, 0);
    /* a leaves: no delete yet; b leaves: delete */
    kz_xapp_unsubscribe(a.x, a.sub);
    run_for(50 * MS);
    assert_int_equal(ag.del_req, 0);
    agent_indicate(&ag, &shared, 2, msg, 1, msg, 1, 2);
    run_for(50 * MS);
    assert_int_equal(a.inds, 1);
    assert_int_equal(b.inds, 2);
    kz_xapp_unsubscribe(b.x, b.sub);
    run_for(50 * MS);
    assert_int_equal(ag.del_req, 1);
    kz_xapp_close(a.x);
    kz_xapp_close(b.x);
    kz_xapp_close(c.x);
    agent_close(&ag);
}

static void test_node_reconnect_restores(void **state)
{
    (void)state;
    agent ag;
    tx t;
    bring_up(&ag, &t);
    assert_int_equal(kz_sim_drop(G.sim, ag.as), 0);
    run_for(50 * MS);
    assert_int_equal(t.node_down, 1);
    assert_int_equal(t.suspended, 1);
    agent_connect(&ag);   /* the node comes back: same global id */
    run_for(50 * MS);
    assert_int_equal(ag.setup_resp, 2);
    assert_int_equal(ag.sub_req, 2);   /* re-established by the RIC alone */
    assert_int_equal(t.active, 2);
    assert_int_equal(t.node_up, 2);
    static const uint8_t msg[] = {3};
    agent_indicate(&ag, NULL, -1, msg, 1, msg, 1, 5);
    run_for(50 * MS);
    assert_int_equal(t.inds, 1);
    kz_ric_stats st;
    kz_ric_stats_get(G.ric, &st);
    assert_int_equal(st.subs_restored, 1);
    kz_xapp_close(t.x);
    agent_close(&ag);
}

static void test_duplicate_node_id(void **state)
{
    (void)state;
    agent ag, ag2;
    tx t;
    bring_up(&ag, &t);
    agent_open(&ag2, G.loop, "mem://ric-e2", 0xe00);   /* same id, new association */
    run_for(50 * MS);
    assert_int_equal(ag2.setup_resp, 1);
    assert_int_equal(ag.downs, 1);       /* the stale one was aborted */
    assert_int_equal(ag2.sub_req, 1);    /* subscriptions moved to the new association */
    kz_ric_stats st;
    kz_ric_stats_get(G.ric, &st);
    assert_int_equal(st.nodes_replaced, 1);
    assert_int_equal(st.nodes_up, 1);
    assert_int_equal(kz_ric_node_count(G.ric), 1);
    static const uint8_t msg[] = {3};
    agent_indicate(&ag2, NULL, -1, msg, 1, msg, 1, 1);
    run_for(50 * MS);
    assert_int_equal(t.inds, 1);
    kz_xapp_close(t.x);
    agent_close(&ag);
    agent_close(&ag2);
}

static void test_xapp_grace_and_reconnect(void **state)
{
    (void)state;
    agent ag;
    tx t;
    bring_up(&ag, &t);
    /* the bus connection drops: the SDK reconnects within the grace period and resumes */
    assert_non_null(G.ric->xconns);
    assert_int_equal(kz_sim_drop(G.sim, G.ric->xconns->as), 0);
    run_for(1000 * MS);
    assert_int_equal(t.conn_down, 1);
    assert_int_equal(t.conn_up, 2);
    assert_int_equal(t.suspended, 1);
    assert_int_equal(t.active, 2);
    assert_int_equal(ag.sub_req, 1);   /* nothing re-done on the node */
    assert_int_equal(ag.del_req, 0);
    static const uint8_t msg[] = {3};
    agent_indicate(&ag, NULL, -1, msg, 1, msg, 1, 1);
    run_for(50 * MS);
    assert_int_equal(t.inds, 1);
    /* the xApp dies for good: after the grace period its subscription is deleted */
    kz_xapp_close(t.x);
    run_for(2000 * MS);
    assert_int_equal(ag.del_req, 0);
    run_for(1500 * MS);
    assert_int_equal(ag.del_req, 1);
    kz_ric_stats st;
    kz_ric_stats_get(G.ric, &st);
    assert_int_equal(st.xapps_expired, 1);
    assert_int_equal(st.e2_subs, 0);
    /* a new xApp after expiry subscribes afresh */
    tx t2;
    tx_open(&t2, "t2");
    run_for(50 * MS);
    tx_subscribe(&t2, t2.last_node, TRIGGER, sizeof TRIGGER);
    run_for(50 * MS);
    assert_int_equal(t2.active, 1);
    assert_int_equal(ag.sub_req, 2);
    kz_xapp_close(t2.x);
    agent_close(&ag);
}

static void test_sub_timeout_retry_and_failure(void **state)
{
    (void)state;
    agent ag;
    tx t;
    agent_open(&ag, G.loop, "mem://ric-e2", 0xe01);
    tx_open(&t, "t1");
    run_for(50 * MS);
    ag.sub_mode = AGENT_SILENT;
    tx_subscribe(&t, t.last_node, TRIGGER, sizeof TRIGGER);
    run_for(3000 * MS);
    assert_int_equal(ag.sub_req, 3);   /* 1 + 2 retries */
    assert_int_equal(t.failed, 1);
    assert_int_equal(t.last_error, KZ_ETIMEOUT);
    assert_true(ag.del_req >= 1);      /* cleanup of anything half-made */
    ag.sub_mode = AGENT_REFUSE;
    tx_subscribe(&t, t.last_node, TRIGGER, sizeof TRIGGER);
    run_for(100 * MS);
    assert_int_equal(t.failed, 2);
    assert_int_equal(t.last_error, KZ_EPROTO);
    assert_int_equal(t.last_cause.group, kz_e2ap_Cause_ricRequest);
    assert_int_equal(t.last_cause.value, kz_e2ap_CauseRICrequest_action_not_supported);
    /* unknown node: refused by the RIC itself */
    tx_subscribe(&t, 999, TRIGGER, sizeof TRIGGER);
    run_for(50 * MS);
    assert_int_equal(t.failed, 3);
    assert_int_equal(t.last_error, KZ_EINVAL);
    kz_xapp_close(t.x);
    agent_close(&ag);
}

static void test_control_round_trip(void **state)
{
    (void)state;
    agent ag;
    tx t;
    bring_up(&ag, &t);
    static const uint8_t h[] = {1, 2, 3}, m[] = {4, 5};
    kz_xapp_control_req req = {.node = t.last_node, .ran_function = 3, .hdr = h, .hdr_len = 3,
                               .msg = m, .msg_len = 2, .ack = true, .timeout_ms = 500};
    assert_int_equal(kz_xapp_control(t.x, &req, on_ctl, &t), 0);
    run_for(50 * MS);
    assert_int_equal(t.ctl_done, 1);
    assert_int_equal(t.ctl_status, 0);
    assert_int_equal(t.ctl_outcome_len, 2);
    ag.ctl_mode = AGENT_REFUSE;
    kz_xapp_control(t.x, &req, on_ctl, &t);
    run_for(50 * MS);
    assert_int_equal(t.ctl_done, 2);
    assert_int_equal(t.ctl_status, KZ_EPROTO);
    assert_int_equal(t.ctl_cause.value, kz_e2ap_CauseRICrequest_control_message_invalid);
    ag.ctl_mode = AGENT_SILENT;
    kz_xapp_control(t.x, &req, on_ctl, &t);
    run_for(400 * MS);
    assert_int_equal(t.ctl_done, 2);
    run_for(200 * MS);
    assert_int_equal(t.ctl_done, 3);
    assert_int_equal(t.ctl_status, KZ_ETIMEOUT);
    /* unknown function */
    req.ran_function = 77;
    kz_xapp_control(t.x, &req, on_ctl, &t);
    run_for(50 * MS);
    assert_int_equal(t.ctl_status, KZ_EINVAL);
    assert_int_equal(ag.ctl_req, 3);
    kz_ric_stats st;
    kz_ric_stats_get(G.ric, &st);
    assert_int_equal(st.controls_ok, 1);
    assert_int_equal(st.controls_timeout, 1);
    kz_xapp_close(t.x);
    agent_close(&ag);
}

static void test_malformed_answered(void **state)
{
    (void)state;
    agent ag;
    tx t;
    bring_up(&ag, &t);
    int errs = ag.err_ind;
    /* garbage */
    static const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0x00, 0x13};
    agent_send_raw(&ag, junk, sizeof junk);
    run_for(20 * MS);
    assert_int_equal(ag.err_ind, ++errs);
    assert_int_equal(ag.last_err_cause.present, kz_e2ap_Cause_protocol);
    /* every truncation of a valid setup request */
    uint8_t setup[8192];
    long n = agent_setup_bytes(&ag, setup, sizeof setup);
    assert_true(n > 10);
    for (long cut = 1; cut < n; cut += (n / 23) + 1) {
        agent_send_raw(&ag, setup, (size_t)cut);
        run_for(5 * MS);
    }
    assert_true(ag.err_ind > errs);
    errs = ag.err_ind;
    /* random bit flips of a valid indication */
    for (int i = 0; i < 200; i++) {
        uint8_t buf[8192];
        memcpy(buf, setup, (size_t)n);
        uint64_t r = kz_sim_rand(G.sim);
        buf[r % (uint64_t)n] ^= (uint8_t)(1u << (r >> 32) % 8);
        agent_send_raw(&ag, buf, (size_t)n);
        run_for(1 * MS);
    }
    /* an unexpected message (a node sending a subscription request) */
    kz_e2ap_pdu pdu;
    memset(&pdu, 0, sizeof pdu);
    pdu.present = kz_e2ap_E2AP_PDU_initiatingMessage;
    pdu.u.initiatingMessage.present = kz_e2ap_InitiatingMessage_RICsubscriptionDeleteRequest;
    errs = ag.err_ind;
    agent_send_pdu(&ag, &pdu);
    run_for(20 * MS);
    assert_int_equal(ag.err_ind, errs + 1);
    assert_int_equal(ag.last_err_cause.u.protocol,
                     kz_e2ap_CauseProtocol_message_not_compatible_with_receiver_state);
    assert_int_equal(ag.last_err_proc, 9);
    /* an indication for a subscription that does not exist */
    kz_e2ap_RICrequestID bogus = {.ricRequestorID = 77, .ricInstanceID = 5};
    agent_indicate(&ag, &bogus, 2, junk, 1, junk, 1, 1);
    run_for(20 * MS);
    assert_int_equal(ag.err_ind, errs + 2);
    assert_int_equal(ag.last_err_cause.present, kz_e2ap_Cause_ricRequest);
    /* still alive: indications still flow (the agent may have re-setup through flips; use the
     * subscription the RIC holds) */
    kz_ric_stats st;
    kz_ric_stats_get(G.ric, &st);
    assert_true(st.e2_bad_pdus > 10);
    kz_xapp_close(t.x);
    agent_close(&ag);
}

/* A flood of malformed PDUs is answered at a bounded rate (issue 5): every PDU is counted, at most
 * the budget (256 at once, then 100/s) gets an ErrorIndication, the rest are counted as
 * suppressed; the association survives, routing still works, and after a quiet period a single
 * bad PDU is answered again. */
static void test_malformed_flood_rate_limited(void **state)
{
    (void)state;
    agent ag;
    tx t;
    bring_up(&ag, &t);
    kz_ric_stats st0, st;
    kz_ric_stats_get(G.ric, &st0);
    int errs0 = ag.err_ind;
    static const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0x00, 0x13};
    enum { FLOOD = 3000 };
    for (int i = 0; i < FLOOD; i++) {   /* 3,000 in 300 ms of virtual time */
        agent_send_raw(&ag, junk, sizeof junk);
        if (i % 100 == 99)
            run_for(10 * MS);
    }
    run_for(100 * MS);
    kz_ric_stats_get(G.ric, &st);
    assert_int_equal(st.e2_bad_pdus - st0.e2_bad_pdus, FLOOD);   /* every one counted */
    uint64_t answered = (uint64_t)(ag.err_ind - errs0);
    uint64_t suppressed = st.e2_error_ind_suppressed - st0.e2_error_ind_suppressed;
    assert_int_equal(answered + suppressed, FLOOD);
    printf("malformed flood: %d bad PDUs, %llu answered, %llu suppressed\n", FLOOD,
           (unsigned long long)answered, (unsigned long long)suppressed);
    /* budget: 256 at once + 100/s over the ~0.4 s of the flood (plus the 50 ms link latency) */
    assert_true(answered >= 256);
    assert_true(answered <= 256 + 50);
    assert_true(ag.as != NULL);
    /* routing unaffected */
    static const uint8_t hdr[] = {1}, msg[] = {2};
    int inds = t.inds;
    agent_indicate(&ag, NULL, -1, hdr, 1, msg, 1, 1);
    run_for(50 * MS);
    assert_int_equal(t.inds, inds + 1);
    /* quiet for 3 s: the budget is back; one bad PDU, one answer */
    run_for(3000 * MS);
    int errs = ag.err_ind;
    agent_send_raw(&ag, junk, sizeof junk);
    run_for(50 * MS);
    assert_int_equal(ag.err_ind, errs + 1);
    kz_xapp_close(t.x);
    agent_close(&ag);
}

/* RIC service query (issue 5): the RIC lists the functions it accepted, the node answers with a
 * RICserviceUpdate, the RIC acknowledges it. */
static void test_service_query(void **state)
{
    (void)state;
    agent ag;
    tx t;
    bring_up(&ag, &t);
    assert_int_equal(kz_ric_query_node(G.ric, t.last_node), 0);
    run_for(50 * MS);
    assert_int_equal(ag.svc_query, 1);
    assert_int_equal(ag.svc_query_fns, 2);   /* KPM (2) and RC (3) */
    assert_int_equal(ag.svc_update_ack, 1);
    kz_ric_stats st;
    kz_ric_stats_get(G.ric, &st);
    assert_int_equal(st.service_queries, 1);
    assert_int_equal(st.e2_bad_pdus, 0);
    assert_int_equal(kz_ric_query_node(G.ric, 9999), KZ_EINVAL);
    /* subscriptions untouched by the query/update exchange */
    static const uint8_t hdr[] = {1}, msg[] = {2};
    agent_indicate(&ag, NULL, -1, hdr, 1, msg, 1, 1);
    run_for(50 * MS);
    assert_int_equal(t.inds, 1);
    kz_assoc_close(ag.as);
    run_for(50 * MS);
    assert_int_equal(kz_ric_query_node(G.ric, t.last_node), KZ_ECLOSED);
    kz_xapp_close(t.x);
    agent_close(&ag);
}

/* Unknown IEs with each criticality, as whole PDUs built from a valid RICindication. */
static void test_unknown_ies(void **state)
{
    (void)state;
    agent ag;
    tx t;
    bring_up(&ag, &t);
    static const uint8_t msg[] = {7};
    kz_e2ap_pdu pdu;
    memset(&pdu, 0, sizeof pdu);
    pdu.present = kz_e2ap_E2AP_PDU_initiatingMessage;
    pdu.u.initiatingMessage.present = kz_e2ap_InitiatingMessage_RICindication;
    kz_e2ap_RICindication *ind = &pdu.u.initiatingMessage.u.RICindication;
    ind->RICrequestID = ag.last_sub;
    ind->RANfunctionID = 2;
    ind->RICactionID = 1;
    ind->RICindicationHeader.buf = msg;
    ind->RICindicationHeader.len = 1;
    ind->RICindicationMessage.buf = msg;
    ind->RICindicationMessage.len = 1;
    uint8_t base[256];
    long n = kz_e2ap_encode(&pdu, base, sizeof base, NULL);
    assert_true(n > 0);
    /* APER of an InitiatingMessage: [0]=choice, [1]=procedureCode, [2]=criticality, [3]=open
     * type length, [4..] RICindication: ext bit + pad, then IE count (2 octets), then IEs.
     * Append an IE id 999 with each criticality and bump the count. */
    for (int crit = 0; crit < 3; crit++) {
        uint8_t buf[300];
        size_t len = (size_t)n;
        memcpy(buf, base, len);
        assert_true(buf[3] < 128);
        uint8_t ie[] = {0x03, 0xe7, (uint8_t)(crit << 6), 0x01, 0x00};   /* id, crit, len 1, value */
        memcpy(buf + len, ie, sizeof ie);
        len += sizeof ie;
        buf[3] = (uint8_t)(buf[3] + sizeof ie);
        uint16_t cnt = (uint16_t)(buf[5] << 8 | buf[6]);
        cnt++;
        buf[5] = (uint8_t)(cnt >> 8);
        buf[6] = (uint8_t)cnt;
        int errs = ag.err_ind, inds = t.inds;
        agent_send_raw(&ag, buf, len);
        run_for(20 * MS);
        if (crit == 0) {        /* reject: ErrorIndication, not processed */
            assert_int_equal(ag.err_ind, errs + 1);
            assert_int_equal(t.inds, inds);
        } else if (crit == 1) { /* ignore: processed silently */
            assert_int_equal(ag.err_ind, errs);
            assert_int_equal(t.inds, inds + 1);
        } else {                /* notify: processed and reported */
            assert_int_equal(ag.err_ind, errs + 1);
            assert_int_equal(ag.last_err_cause.u.protocol,
                             kz_e2ap_CauseProtocol_abstract_syntax_error_ignore_and_notify);
            assert_int_equal(t.inds, inds + 1);
        }
    }
    kz_xapp_close(t.x);
    agent_close(&ag);
}

/* A raw bus client that subscribes and then never reads. */
typedef struct slowx {
    kz_transport *tr;
    kz_assoc *as;
    bool welcomed;
    int inds;
} slowx;

static void sl_up(kz_assoc *a, void *ud)
{
    (void)ud;
    uint8_t buf[64];
    kz_wbuf w;
    kz_wire_init(&w, buf, sizeof buf, KZ_WIRE_HELLO);
    kz_wire_u32(&w, KZ_WIRE_VERSION);
    kz_wire_str(&w, "slow");
    kz_wire_str(&w, "");
    kz_wire_u64(&w, 0);
    kz_msg m = {.data = buf, .len = w.len, .ppid = KZ_WIRE_PPID};
    kz_assoc_send(a, &m);
}
static void sl_msg(kz_assoc *a, const kz_msg *m, void *ud)
{
    slowx *s = ud;
    (void)a;
    if (m->data[0] == KZ_WIRE_WELCOME)
        s->welcomed = true;
    if (m->data[0] == KZ_WIRE_IND)
        s->inds++;
}
static void sl_down(kz_assoc *a, int r, void *ud) { (void)a; (void)r; (void)ud; }

static void test_slow_xapp_does_not_block(void **state)
{
    (void)state;
    agent ag;
    tx fast;
    bring_up(&ag, &fast);
    slowx sl = {0};
    kz_transport_cfg tc;
    kz_transport_cfg_default(&tc);
    tc.rcvbuf_bytes = 16 * 1024;
    kz_transport_cbs cbs = {.on_up = sl_up, .on_msg = sl_msg, .on_down = sl_down};
    assert_int_equal(kz_transport_open(&sl.tr, G.loop, &tc, &cbs, &sl), 0);
    assert_int_equal(kz_transport_connect(sl.tr, "mem://ric-bus", &sl.as), 0);
    run_for(50 * MS);
    assert_true(sl.welcomed);
    /* subscribe exactly like the fast one (merged), then stop reading */
    uint8_t buf[128];
    kz_wbuf w;
    kz_wire_init(&w, buf, sizeof buf, KZ_WIRE_SUB);
    kz_wire_u32(&w, 42);
    kz_wire_u32(&w, fast.last_node);
    kz_wire_u16(&w, 2);
    kz_wire_bytes(&w, TRIGGER, sizeof TRIGGER);
    kz_wire_u8(&w, 1);
    kz_wire_u16(&w, 1);
    kz_wire_u8(&w, 0);
    kz_wire_bytes(&w, ACTDEF, sizeof ACTDEF);
    kz_msg m = {.data = buf, .len = w.len, .ppid = KZ_WIRE_PPID};
    kz_assoc_send(sl.as, &m);
    run_for(50 * MS);
    kz_assoc_pause(sl.as, true);
    static uint8_t big[1000];
    const int N = 2000;
    for (int i = 0; i < N; i++) {
        agent_indicate(&ag, NULL, -1, big, 10, big, sizeof big, i);
        if (i % 50 == 49)
            run_for(2 * MS);
    }
    run_for(200 * MS);
    assert_int_equal(fast.inds, N);   /* the fast xApp got every one */
    kz_ric_stats st;
    kz_ric_stats_get(G.ric, &st);
    assert_true(st.indications_dropped > 0);
    assert_true(st.indications_dropped < (uint64_t)N);
    kz_ric_xapp_info xi;
    bool found = false;
    for (size_t i = 0; kz_ric_xapp_get(G.ric, i, &xi); i++)
        if (!strcmp(xi.name, "slow")) {
            found = true;
            assert_true(xi.dropped > 0);
            assert_int_equal(xi.dropped + xi.indications, N);
        }
    assert_true(found);
    print_message("slow xApp: %llu of %d dropped, fast xApp got all\n",
                  (unsigned long long)st.indications_dropped, N);
    kz_transport_close(sl.tr);
    kz_xapp_close(fast.x);
    agent_close(&ag);
}

static void test_delete_required_and_reset(void **state)
{
    (void)state;
    agent ag;
    tx t;
    bring_up(&ag, &t);
    /* RIC-initiated reset: subscriptions re-established after the response */
    assert_int_equal(kz_ric_reset_node(G.ric, t.last_node), 0);
    run_for(50 * MS);
    assert_int_equal(ag.reset_req, 1);
    assert_int_equal(ag.sub_req, 2);
    assert_int_equal(t.active, 2);
    /* node-initiated delete required */
    kz_e2ap_pdu pdu;
    memset(&pdu, 0, sizeof pdu);
    pdu.present = kz_e2ap_E2AP_PDU_initiatingMessage;
    pdu.u.initiatingMessage.present = kz_e2ap_InitiatingMessage_RICsubscriptionDeleteRequired;
    kz_e2ap_RICsubscription_List_withCause__item it;
    memset(&it, 0, sizeof it);
    it.value.ricRequestID = ag.last_sub;
    it.value.ranFunctionID = 2;
    it.value.cause.present = kz_e2ap_Cause_ricRequest;
    it.value.cause.u.ricRequest = kz_e2ap_CauseRICrequest_function_resource_limit;
    pdu.u.initiatingMessage.u.RICsubscriptionDeleteRequired.RICsubscriptionToBeRemoved.count = 1;
    pdu.u.initiatingMessage.u.RICsubscriptionDeleteRequired.RICsubscriptionToBeRemoved.items = &it;
    agent_send_pdu(&ag, &pdu);
    run_for(50 * MS);
    assert_int_equal(t.deleted, 1);
    assert_int_equal(t.last_cause.value, kz_e2ap_CauseRICrequest_function_resource_limit);
    assert_int_equal(ag.del_req, 1);
    kz_xapp_close(t.x);
    agent_close(&ag);
}

static void test_admission(void **state)
{
    (void)state;
    /* a second RIC with an allow-list on its own address */
    kz_ric_cfg cfg;
    kz_ric_cfg_default(&cfg);
    const char *e2[] = {"mem://ric2-e2"}, *allow[] = {"gnb/00101/0x00000e05"};
    cfg.e2_listen = e2;
    cfg.n_e2_listen = 1;
    cfg.allow = allow;
    cfg.n_allow = 1;
    cfg.log = G.devnull;
    kz_ric *r2;
    assert_int_equal(kz_ric_open(&r2, G.loop, &cfg), 0);
    agent ok, bad;
    agent_open(&ok, G.loop, "mem://ric2-e2", 0xe05);
    agent_open(&bad, G.loop, "mem://ric2-e2", 0xe06);
    run_for(50 * MS);
    assert_int_equal(ok.setup_resp, 1);
    assert_int_equal(bad.setup_fail, 1);
    kz_ric_stats st;
    kz_ric_stats_get(r2, &st);
    assert_int_equal(st.setups_refused, 1);
    agent_close(&ok);
    agent_close(&bad);
    kz_ric_close(r2);
}

static void test_shutdown_clean(void **state)
{
    (void)state;
    agent ag;
    tx t;
    bring_up(&ag, &t);
    kz_ric_shutdown(G.ric);
    run_for(500 * MS);
    assert_true(kz_ric_idle(G.ric));
    assert_int_equal(ag.downs, 1);
    assert_true(t.conn_down >= 1);
    kz_xapp_close(t.x);
    agent_close(&ag);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_setup_subscribe_indicate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merge_fanout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_node_reconnect_restores, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_node_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xapp_grace_and_reconnect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sub_timeout_retry_and_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_control_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_answered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_flood_rate_limited, setup, teardown),
        cmocka_unit_test_setup_teardown(test_service_query, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_ies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slow_xapp_does_not_block, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_required_and_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_admission, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shutdown_clean, setup, teardown),
    };
    const char *s = getenv("KZ_SEED");
    fprintf(stderr, "test_ric_sim: KZ_SEED=%s\n", s ? s : "1");
    return cmocka_run_group_tests(tests, NULL, NULL);
}
