/*
 * ric/ric.c -- the RIC's lifecycle (kizuna/ric.h): configuration with defaults, opening the E2
 * termination and the xApp bus on a caller's loop, orderly shutdown, logfmt logging, statistics.
 *
 * Why separate: e2term.c, subs.c and xbus.c each own one side of the RIC; this file owns what
 * they share and the order things are opened and torn down in (subscriptions before sessions
 * before nodes, because each refers to the next).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kizuna/error.h"
#include "ric/ric_int.h"

void kz_ric_cfg_default(kz_ric_cfg *c)
{
    memset(c, 0, sizeof *c);
    c->plmn[0] = 0x00;
    c->plmn[1] = 0xf1;
    c->plmn[2] = 0x10;
    c->ric_id = 1;
    c->setup_wait_ms = 5000;
    c->sub_timeout_ms = 2000;
    c->sub_retries = 2;
    c->del_timeout_ms = 2000;
    c->control_timeout_ms = 2000;
    c->xapp_grace_ms = 10000;
    c->reset_timeout_ms = 2000;
    c->xapp_queue_bytes = 1024 * 1024;
    c->max_msg = 256 * 1024;
    c->max_nodes = 65536;
    c->max_subs = 65536;
    c->log_level = KZ_RIC_LOG_INFO;
}

void kz__log(kz_ric *ric, enum kz_ric_log_level lvl, const char *msg, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};
    if (lvl > ric->cfg.log_level)
        return;
    FILE *f = ric->log ? ric->log : stderr;
    int64_t ns = kz_loop_epoch_ns(ric->loop);
    time_t secs = (time_t)(ns / KZ_NS_PER_S);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char ts[40];
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    char line[1024];
    int k = snprintf(line, sizeof line, "ts=%s.%06ldZ level=%s msg=\"%s\"", ts,
                     (long)((ns % KZ_NS_PER_S) / 1000), names[lvl], msg);
    if (k > 0 && (size_t)k < sizeof line && fmt && *fmt) {
        line[k++] = ' ';
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(line + k, sizeof line - (size_t)k, fmt, ap);
        va_end(ap);
    }
    fprintf(f, "%s\n", line);
    fflush(f);
}

static const char *keep(kz_ric *ric, const char *s)
{
    if (!s)
        return NULL;
    char **ns = realloc(ric->strs, (ric->nstrs + 1) * sizeof *ns);
    if (!ns)
        return NULL;
    ric->strs = ns;
    char *d = strdup(s);
    if (d)
        ric->strs[ric->nstrs++] = d;
    return d;
}

static const char *const *keep_list(kz_ric *ric, const char *const *l, size_t n)
{
    if (!n)
        return NULL;
    /* the array itself is kept as one more string allocation */
    const char **a = calloc(n, sizeof *a);
    if (!a)
        return NULL;
    char **ns = realloc(ric->strs, (ric->nstrs + 1) * sizeof *ns);
    if (!ns) {
        free(a);
        return NULL;
    }
    ric->strs = ns;
    ric->strs[ric->nstrs++] = (char *)a;
    for (size_t i = 0; i < n; i++)
        a[i] = keep(ric, l[i]);
    return a;
}

int kz_ric_open(kz_ric **out, kz_loop *loop, const kz_ric_cfg *cfg)
{
    if (!out || !loop || !cfg || (cfg->n_e2_listen && !cfg->e2_listen) ||
        (cfg->n_bus_listen && !cfg->bus_listen) || (cfg->n_allow && !cfg->allow))
        return KZ_EINVAL;
    kz_ric *ric = calloc(1, sizeof *ric);
    if (!ric)
        return KZ_ENOMEM;
    kz_ric_cfg d;
    kz_ric_cfg_default(&d);
    ric->loop = loop;
    ric->cfg = *cfg;
    kz_ric_cfg *c = &ric->cfg;
#define DEF(f) if (!c->f) c->f = d.f
    DEF(setup_wait_ms); DEF(sub_timeout_ms); DEF(del_timeout_ms); DEF(control_timeout_ms);
    DEF(xapp_grace_ms); DEF(reset_timeout_ms); DEF(xapp_queue_bytes); DEF(max_msg);
    DEF(max_nodes); DEF(max_subs); DEF(ric_id);
#undef DEF
    if (!c->plmn[0] && !c->plmn[1] && !c->plmn[2])
        memcpy(c->plmn, d.plmn, 3);
    if (c->max_subs > 65535u * 65536u)
        c->max_subs = 65535u * 65536u;
    c->ric_id &= 0xfffffu;
    ric->log = cfg->log;
    c->e2_listen = keep_list(ric, cfg->e2_listen, cfg->n_e2_listen);
    c->bus_listen = keep_list(ric, cfg->bus_listen, cfg->n_bus_listen);
    c->allow = keep_list(ric, cfg->allow, cfg->n_allow);
    c->bus_token = keep(ric, cfg->bus_token);
    c->pcap_path = keep(ric, cfg->pcap_path);

    int rc = KZ_ENOMEM;
    ric->arena_mem = malloc(KZ_E2AP_ARENA_FOR(c->max_msg));
    ric->txcap = c->max_msg;
    ric->txbuf = malloc(ric->txcap);
    ric->buscap = c->max_msg + 256;
    ric->busbuf = malloc(ric->buscap);
    if (!ric->arena_mem || !ric->txbuf || !ric->busbuf)
        goto fail;
    kz_arena_init(&ric->arena, ric->arena_mem, KZ_E2AP_ARENA_FOR(c->max_msg));
    if (c->pcap_path && (rc = kz__pcap_open(ric, c->pcap_path)) < 0) {
        kz__log(ric, KZ_RIC_LOG_ERROR, "cannot open pcap", "path=%s", c->pcap_path);
        goto fail;
    }
    if ((rc = kz__xbus_open(ric)) < 0 || (rc = kz__e2term_open(ric)) < 0)
        goto fail;
    *out = ric;
    return 0;
fail:
    kz_ric_close(ric);
    return rc;
}

void kz_ric_shutdown(kz_ric *ric)
{
    if (ric->shutting_down)
        return;
    ric->shutting_down = true;
    kz__log(ric, KZ_RIC_LOG_INFO, "shutting down", "nodes_up=%u xapps_up=%u", ric->st.nodes_up,
            ric->st.xapps_up);
    kz__e2term_shutdown(ric);
    kz__xbus_shutdown(ric);
}

bool kz_ric_idle(const kz_ric *ric) { return ric->e2conns == NULL && kz__xbus_idle(ric); }

void kz_ric_close(kz_ric *ric)
{
    if (!ric)
        return;
    kz__subs_free_all(ric);
    kz__xbus_close(ric);
    kz__e2term_close(ric);
    kz__pcap_close(ric);
    free(ric->arena_mem);
    free(ric->txbuf);
    free(ric->busbuf);
    for (size_t i = 0; i < ric->nstrs; i++)
        free(ric->strs[i]);
    free(ric->strs);
    free(ric);
}

void kz_ric_stats_get(const kz_ric *ric, kz_ric_stats *st)
{
    *st = ric->st;
    st->e2_subs = ric->nsubs;
}

size_t kz_ric_node_count(const kz_ric *ric) { return ric->nnodes; }

bool kz_ric_node_get(const kz_ric *ric, size_t i, kz_ric_node_info *out)
{
    if (i >= ric->nnodes)
        return false;
    const kz__node *n = ric->nodes[i];
    out->id = n->id;
    out->name = n->name;
    out->up = n->up;
    out->n_functions = n->nfns;
    out->n_subs = n->nsubs;
    return true;
}

size_t kz_ric_xapp_count(const kz_ric *ric) { return ric->nxapps; }

bool kz_ric_xapp_get(const kz_ric *ric, size_t i, kz_ric_xapp_info *out)
{
    if (i >= ric->nxapps)
        return false;
    const kz__xsess *s = ric->xapps[i];
    out->name = s->name;
    out->connected = s->conn != NULL;
    out->n_subs = s->nmembers;
    out->indications = s->indications;
    out->dropped = s->dropped;
    return true;
}
