/*
 * tests/ric/agent.h -- a scriptable E2 agent for the RIC's tests, built on the codecs only.
 *
 * Why not the emulator: each test needs one specific behaviour from the node -- answer, refuse,
 * stay silent, drop, come back, send garbage -- and must count exactly what the RIC sent it.
 * The agent connects over any kz_transport URL (mem:// in the simulator, sctp+udp:// for the
 * end-to-end test), sends E2 setup with one KPM RAN function (id 2) and one RC function (id 3),
 * and then does what the test's modes say.
 */
#ifndef KZ_TEST_AGENT_H
#define KZ_TEST_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kizuna/e2ap.h"
#include "kizuna/loop.h"
#include "kizuna/transport.h"

enum agent_mode { AGENT_ANSWER = 0, AGENT_REFUSE, AGENT_SILENT };

typedef struct agent {
    kz_loop *loop;
    kz_transport *tr;
    kz_assoc *as;
    char url[128];
    uint32_t gnb_id;
    bool up, setup_done;
    enum agent_mode sub_mode, ctl_mode, del_mode;
    /* counters of what the RIC sent */
    int setup_resp, setup_fail, sub_req, del_req, ctl_req, err_ind, reset_req, other;
    int svc_query;                   /* RICserviceQuery received (answered with a service update) */
    int svc_query_fns;               /* RAN functions the last query listed as accepted */
    int svc_update_ack;              /* RICserviceUpdateAcknowledge received */
    int downs;
    kz_e2ap_RICrequestID last_sub;   /* of the last subscription request */
    int64_t last_ranf;
    kz_e2ap_Cause last_err_cause;
    bool last_err_has_diag;
    int64_t last_err_proc;
    uint8_t *arena_mem;
    uint8_t tx[65536];
} agent;

/* Opens a transport on loop and connects to url; E2 setup is sent when the association is up. */
void agent_open(agent *ag, kz_loop *loop, const char *url, uint32_t gnb_id);
void agent_connect(agent *ag);
void agent_close(agent *ag);
/* Sends the given bytes as one E2AP message. */
void agent_send_raw(agent *ag, const uint8_t *buf, size_t len);
int agent_send_pdu(agent *ag, const kz_e2ap_pdu *pdu);
/* RICindication for the last subscription (or rid), action 1. */
void agent_indicate(agent *ag, const kz_e2ap_RICrequestID *rid, int64_t ranf, const uint8_t *hdr,
                    size_t hl, const uint8_t *msg, size_t ml, int64_t sn);
/* Encodes this agent's E2setupRequest into buf; returns its length. */
long agent_setup_bytes(agent *ag, uint8_t *buf, size_t cap);

#endif
