/*
 * emu/scenario.c -- strict parser of kizuna-scenario/1 JSON (jansson) into struct kz_scenario.
 * See scenario.h for why this exists; the format is documented in docs/emulator-models.md.
 *
 * Every object is checked against a list of allowed keys first, so a typo ("bw_mz") is an
 * error rather than a silently ignored setting.  Each getter leaves the default in place
 * when the key is absent and fails with "path.key: why" when it is present but wrong.
 */
#include "emu/scenario.h"

#include <ctype.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kizuna/error.h"

struct kz__pctx {
    char *err;
    size_t errlen;
};

static int kz__fail(struct kz__pctx *c, int rc, const char *path, const char *key,
                    const char *fmt, ...)
{
    if (c->err && c->errlen) {
        int n = 0;
        if (*path || key)
            n = snprintf(c->err, c->errlen, "%s%s%s: ", path, (*path && key) ? "." : "",
                         key ? key : "");
        if (n >= 0 && (size_t)n < c->errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return rc;
}

static int kz__keys(struct kz__pctx *c, json_t *obj, const char *path, const char *const *allowed)
{
    const char *key;
    json_t *v;
    if (!json_is_object(obj))
        return kz__fail(c, KZ_EINVAL, path, NULL, "must be an object");
    json_object_foreach(obj, key, v) {
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, key) == 0)
                ok = 1;
        if (!ok)
            return kz__fail(c, KZ_EINVAL, path, key, "unknown key");
    }
    return 0;
}

static int kz__num(struct kz__pctx *c, json_t *obj, const char *path, const char *key,
                   double *dst, double min, double max)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return 0;
    if (!json_is_number(v))
        return kz__fail(c, KZ_EINVAL, path, key, "must be a number");
    double x = json_number_value(v);
    if (!(x >= min && x <= max))
        return kz__fail(c, KZ_EINVAL, path, key, "%g is outside [%g, %g]", x, min, max);
    *dst = x;
    return 0;
}

static int kz__uint(struct kz__pctx *c, json_t *obj, const char *path, const char *key,
                    uint64_t *dst, uint64_t max, int required)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return required ? kz__fail(c, KZ_EINVAL, path, key, "missing") : 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return kz__fail(c, KZ_EINVAL, path, key, "must be a non-negative integer");
    uint64_t x = (uint64_t)json_integer_value(v);
    if (x > max)
        return kz__fail(c, KZ_EINVAL, path, key, "%llu is above %llu", (unsigned long long)x,
                        (unsigned long long)max);
    *dst = x;
    return 0;
}

static int kz__str(struct kz__pctx *c, json_t *obj, const char *path, const char *key,
                   const char **dst, int required)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return required ? kz__fail(c, KZ_EINVAL, path, key, "missing") : 0;
    if (!json_is_string(v))
        return kz__fail(c, KZ_EINVAL, path, key, "must be a string");
    *dst = json_string_value(v);
    return 0;
}

/* One of a list of names; *dst = index.  Absent keeps *dst. */
static int kz__enum(struct kz__pctx *c, json_t *obj, const char *path, const char *key,
                    const char *const *names, const int *values, int *dst)
{
    const char *s = NULL;
    int rc = kz__str(c, obj, path, key, &s, 0);
    if (rc || !s)
        return rc;
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], s) == 0) {
            *dst = values[i];
            return 0;
        }
    return kz__fail(c, KZ_EINVAL, path, key, "unknown value \"%s\"", s);
}

#define KZ__TRY(expr)                                                                          \
    do {                                                                                       \
        int kz__rc = (expr);                                                                   \
        if (kz__rc)                                                                            \
            return kz__rc;                                                                     \
    } while (0)

static const char *const kz__power_names[] = {
    "earth-macro", "earth-rrh", "earth-micro", "earth-pico", "earth-femto",
    "earth-macro-sector", "38864-set1", "38864-set2", NULL};
static const int kz__power_values[] = {
    KZ_PWR_EARTH_MACRO, KZ_PWR_EARTH_RRH,          KZ_PWR_EARTH_MICRO, KZ_PWR_EARTH_PICO,
    KZ_PWR_EARTH_FEMTO, KZ_PWR_EARTH_MACRO_SECTOR, KZ_PWR_38864_SET1,  KZ_PWR_38864_SET2};

static int kz__antenna(struct kz__pctx *c, json_t *obj, const char *path, struct kz_antenna *a)
{
    static const char *const keys[] = {"gain_dbi", "hpbw_h_deg", "a_max_db", "hpbw_v_deg",
                                       "sla_v_db", "downtilt_deg", NULL};
    KZ__TRY(kz__keys(c, obj, path, keys));
    KZ__TRY(kz__num(c, obj, path, "gain_dbi", &a->gain_dbi, -10, 40));
    KZ__TRY(kz__num(c, obj, path, "hpbw_h_deg", &a->hpbw_h_deg, 0, 360));
    KZ__TRY(kz__num(c, obj, path, "a_max_db", &a->a_max_db, 0, 60));
    KZ__TRY(kz__num(c, obj, path, "hpbw_v_deg", &a->hpbw_v_deg, 0, 180));
    KZ__TRY(kz__num(c, obj, path, "sla_v_db", &a->sla_v_db, 0, 60));
    KZ__TRY(kz__num(c, obj, path, "downtilt_deg", &a->downtilt_deg, -30, 60));
    return 0;
}

static int kz__layer(struct kz__pctx *c, json_t *obj, const char *path, struct kz_layer_cfg *l,
                     enum kz_power_preset *power)
{
    static const char *const keys[] = {
        "enabled", "band", "fc_mhz", "bw_mhz", "scs_khz", "duplex", "tdd_pattern",
        "special_dl_symbols", "tx_power_dbm", "height_m", "max_layers", "antenna", "power", NULL};
    static const char *const duplex_names[] = {"FDD", "TDD", NULL};
    static const int duplex_values[] = {KZ_DUPLEX_FDD, KZ_DUPLEX_TDD};
    KZ__TRY(kz__keys(c, obj, path, keys));
    json_t *en = json_object_get(obj, "enabled");
    if (en) {
        if (!json_is_boolean(en))
            return kz__fail(c, KZ_EINVAL, path, "enabled", "must be true or false");
        l->enabled = json_is_true(en);
    }
    uint64_t u;
    u = l->band;
    KZ__TRY(kz__uint(c, obj, path, "band", &u, 1024, 0));
    l->band = (uint16_t)u;
    double fc_mhz = l->fc_ghz * 1000.0;
    KZ__TRY(kz__num(c, obj, path, "fc_mhz", &fc_mhz, 500, 100000));
    l->fc_ghz = fc_mhz / 1000.0;
    KZ__TRY(kz__num(c, obj, path, "bw_mhz", &l->bw_mhz, 5, 100));
    u = l->scs_khz;
    KZ__TRY(kz__uint(c, obj, path, "scs_khz", &u, 60, 0));
    l->scs_khz = (uint16_t)u;
    if (kz_topo_nrb(l->bw_mhz, l->scs_khz) == 0)
        return kz__fail(c, KZ_EINVAL, path, "bw_mhz",
                        "%g MHz at %u kHz SCS is not in TS 38.101-1 Table 5.3.2-1", l->bw_mhz,
                        (unsigned)l->scs_khz);
    int duplex = (int)l->duplex;
    KZ__TRY(kz__enum(c, obj, path, "duplex", duplex_names, duplex_values, &duplex));
    l->duplex = (enum kz_duplex)duplex;
    const char *pattern = "DDDSU";
    uint64_t special = 10;
    KZ__TRY(kz__str(c, obj, path, "tdd_pattern", &pattern, 0));
    KZ__TRY(kz__uint(c, obj, path, "special_dl_symbols", &special, 14, 0));
    if (l->duplex == KZ_DUPLEX_TDD) {
        double f = kz_topo_tdd_dl_fraction(pattern, (unsigned)special);
        if (!(f > 0.0))
            return kz__fail(c, KZ_EINVAL, path, "tdd_pattern",
                            "\"%s\" must be D/S/U slots with at least one downlink symbol",
                            pattern);
        l->dl_fraction = f;
    } else {
        if (json_object_get(obj, "tdd_pattern"))
            return kz__fail(c, KZ_EINVAL, path, "tdd_pattern", "only for TDD");
        l->dl_fraction = 1.0;
    }
    KZ__TRY(kz__num(c, obj, path, "tx_power_dbm", &l->tx_power_dbm, -10, 60));
    KZ__TRY(kz__num(c, obj, path, "height_m", &l->height_m, 1, 150));
    u = l->max_layers;
    KZ__TRY(kz__uint(c, obj, path, "max_layers", &u, 8, 0));
    if (u == 0)
        return kz__fail(c, KZ_EINVAL, path, "max_layers", "must be 1..8");
    l->max_layers = (uint8_t)u;
    json_t *ant = json_object_get(obj, "antenna");
    if (ant) {
        char sub[96];
        snprintf(sub, sizeof sub, "%s.antenna", path);
        KZ__TRY(kz__antenna(c, ant, sub, &l->ant));
    }
    int pw = (int)*power;
    KZ__TRY(kz__enum(c, obj, path, "power", kz__power_names, kz__power_values, &pw));
    *power = (enum kz_power_preset)pw;
    return 0;
}

static int kz__plmn(struct kz__pctx *c, json_t *obj, struct kz_plmn *p)
{
    static const char *const keys[] = {"mcc", "mnc", NULL};
    const char *path = "network.plmn";
    KZ__TRY(kz__keys(c, obj, path, keys));
    const char *mcc = NULL, *mnc = NULL;
    KZ__TRY(kz__str(c, obj, path, "mcc", &mcc, 1));
    KZ__TRY(kz__str(c, obj, path, "mnc", &mnc, 1));
    size_t lm = strlen(mcc), ln = strlen(mnc);
    for (size_t i = 0; i < lm; i++)
        if (!isdigit((unsigned char)mcc[i]))
            lm = 0;
    for (size_t i = 0; i < ln; i++)
        if (!isdigit((unsigned char)mnc[i]))
            ln = 0;
    if (lm != 3)
        return kz__fail(c, KZ_EINVAL, path, "mcc", "must be 3 digits");
    if (ln != 2 && ln != 3)
        return kz__fail(c, KZ_EINVAL, path, "mnc", "must be 2 or 3 digits");
    p->mcc = (uint16_t)atoi(mcc);
    p->mnc = (uint16_t)atoi(mnc);
    p->mnc_digits = (uint8_t)ln;
    return 0;
}

static int kz__small_cells(struct kz__pctx *c, json_t *v, struct kz_scenario *s)
{
    const char *path = "network.small_cells";
    json_t *positions = v;
    if (json_is_object(v)) {
        static const char *const keys[] = {"layer", "positions", NULL};
        KZ__TRY(kz__keys(c, v, path, keys));
        json_t *layer = json_object_get(v, "layer");
        if (layer)
            KZ__TRY(kz__layer(c, layer, "network.small_cells.layer", &s->topo.small,
                              &s->power[KZ_LAYER_SMALL]));
        positions = json_object_get(v, "positions");
        if (!positions)
            return 0;
        path = "network.small_cells.positions";
    }
    if (!json_is_array(positions))
        return kz__fail(c, KZ_EINVAL, path, NULL, "must be an array of [x, y] in metres");
    size_t n = json_array_size(positions);
    if (n > KZ_SCENARIO_MAX_SMALL)
        return kz__fail(c, KZ_EINVAL, path, NULL, "%zu small cells, at most %d", n,
                        KZ_SCENARIO_MAX_SMALL);
    for (size_t i = 0; i < n; i++) {
        json_t *p = json_array_get(positions, i);
        if (!json_is_array(p) || json_array_size(p) != 2 ||
            !json_is_number(json_array_get(p, 0)) || !json_is_number(json_array_get(p, 1)))
            return kz__fail(c, KZ_EINVAL, path, NULL, "entry %zu must be [x, y]", i);
        s->small_pos[i].x = json_number_value(json_array_get(p, 0));
        s->small_pos[i].y = json_number_value(json_array_get(p, 1));
    }
    s->topo.n_small = n;
    return 0;
}

static int kz__network(struct kz__pctx *c, json_t *obj, struct kz_scenario *s)
{
    static const char *const keys[] = {"isd_m",    "rings",    "plmn",        "gnb_id_base",
                                       "coverage", "capacity", "small_cells", NULL};
    const char *path = "network";
    KZ__TRY(kz__keys(c, obj, path, keys));
    KZ__TRY(kz__num(c, obj, path, "isd_m", &s->topo.isd_m, 50, 20000));
    uint64_t u = s->topo.rings;
    KZ__TRY(kz__uint(c, obj, path, "rings", &u, KZ_TOPO_MAX_RINGS, 0));
    s->topo.rings = (unsigned)u;
    json_t *v = json_object_get(obj, "plmn");
    if (v)
        KZ__TRY(kz__plmn(c, v, &s->topo.plmn));
    u = s->topo.gnb_id_base;
    KZ__TRY(kz__uint(c, obj, path, "gnb_id_base", &u, (1u << KZ_TOPO_GNB_ID_BITS) - 1, 0));
    s->topo.gnb_id_base = (uint32_t)u;
    if ((v = json_object_get(obj, "coverage")))
        KZ__TRY(kz__layer(c, v, "network.coverage", &s->topo.coverage,
                          &s->power[KZ_LAYER_COVERAGE]));
    if ((v = json_object_get(obj, "capacity")))
        KZ__TRY(kz__layer(c, v, "network.capacity", &s->topo.capacity,
                          &s->power[KZ_LAYER_CAPACITY]));
    if ((v = json_object_get(obj, "small_cells")))
        KZ__TRY(kz__small_cells(c, v, s));
    if (!s->topo.coverage.enabled && !s->topo.capacity.enabled && s->topo.n_small == 0)
        return kz__fail(c, KZ_EINVAL, path, NULL, "no cells: every layer is disabled");
    size_t n_macro = kz_topo_sites_for_rings(s->topo.rings);
    s->n_sites = n_macro + s->topo.n_small;
    if (s->n_sites > KZ_SCENARIO_MAX_SITES)
        return kz__fail(c, KZ_EINVAL, path, NULL, "%zu sites, at most %d", s->n_sites,
                        KZ_SCENARIO_MAX_SITES);
    if ((uint64_t)s->topo.gnb_id_base + s->n_sites > (1u << KZ_TOPO_GNB_ID_BITS))
        return kz__fail(c, KZ_EINVAL, path, "gnb_id_base", "gNB ids would not fit 22 bits");
    return 0;
}

static int kz__site_areas(struct kz__pctx *c, json_t *v, struct kz_scenario *s)
{
    const char *path = "site_areas";
    if (!json_is_array(v))
        return kz__fail(c, KZ_EINVAL, path, NULL, "must be an array of area names");
    size_t n = json_array_size(v);
    if (n > s->n_sites)
        return kz__fail(c, KZ_EINVAL, path, NULL, "%zu entries for %zu sites", n, s->n_sites);
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(v, i);
        int a = json_is_string(e) ? kz_traffic_area_from_name(json_string_value(e)) : -1;
        if (a < 0)
            return kz__fail(c, KZ_EINVAL, path, NULL,
                            "entry %zu must be \"suburb\", \"business\" or \"station\"", i);
        s->site_area[i] = (uint8_t)a;
    }
    return 0;
}

static int kz__radio(struct kz__pctx *c, json_t *obj, struct kz_scenario *s)
{
    static const char *const keys[] = {"ue_noise_figure_db", "shadowing", "los", "o2i", NULL};
    static const char *const sh_names[] = {"off", "per-link", "spatial", NULL};
    static const int sh_values[] = {KZ_SHADOW_OFF, KZ_SHADOW_PER_LINK, KZ_SHADOW_SPATIAL};
    static const char *const los_names[] = {"random", "nlos", NULL};
    static const int los_values[] = {1, 0};
    static const char *const o2i_names[] = {"low-loss", "low-loss-mean", NULL};
    static const int o2i_values[] = {1, 0};
    const char *path = "radio";
    KZ__TRY(kz__keys(c, obj, path, keys));
    KZ__TRY(kz__num(c, obj, path, "ue_noise_figure_db", &s->radio.ue_nf_db, 0, 20));
    int x = (int)s->radio.shadow;
    KZ__TRY(kz__enum(c, obj, path, "shadowing", sh_names, sh_values, &x));
    s->radio.shadow = (enum kz_shadow_mode)x;
    KZ__TRY(kz__enum(c, obj, path, "los", los_names, los_values, &s->radio.random_los));
    KZ__TRY(kz__enum(c, obj, path, "o2i", o2i_names, o2i_values, &s->radio.o2i_random));
    return 0;
}

static int kz__ues(struct kz__pctx *c, json_t *obj, struct kz_scenario *s)
{
    static const char *const keys[] = {"count",     "indoor_fraction", "height_m",
                                       "placement", "mobility",        "speed_mps", NULL};
    static const char *const pl_names[] = {"uniform", NULL};
    static const int pl_values[] = {0};
    const char *path = "ues";
    KZ__TRY(kz__keys(c, obj, path, keys));
    uint64_t n = 0;
    KZ__TRY(kz__uint(c, obj, path, "count", &n, KZ_SCENARIO_MAX_UES, 1));
    if (n == 0)
        return kz__fail(c, KZ_EINVAL, path, "count", "must be at least 1");
    s->n_ues = (uint32_t)n;
    KZ__TRY(kz__num(c, obj, path, "indoor_fraction", &s->indoor_fraction, 0, 1));
    KZ__TRY(kz__num(c, obj, path, "height_m", &s->ue_height_m, 1.5, 22.5));
    int pl = 0;
    KZ__TRY(kz__enum(c, obj, path, "placement", pl_names, pl_values, &pl));
    json_t *m = json_object_get(obj, "mobility");
    if (m) {
        static const char *const mk[] = {"static", "pedestrian", "vehicle", NULL};
        KZ__TRY(kz__keys(c, m, "ues.mobility", mk));
        s->mob_static = s->mob_pedestrian = s->mob_vehicle = 0.0;
        KZ__TRY(kz__num(c, m, "ues.mobility", "static", &s->mob_static, 0, 1));
        KZ__TRY(kz__num(c, m, "ues.mobility", "pedestrian", &s->mob_pedestrian, 0, 1));
        KZ__TRY(kz__num(c, m, "ues.mobility", "vehicle", &s->mob_vehicle, 0, 1));
        double sum = s->mob_static + s->mob_pedestrian + s->mob_vehicle;
        if (sum < 1.0 - 1e-6 || sum > 1.0 + 1e-6)
            return kz__fail(c, KZ_EINVAL, "ues.mobility", NULL, "fractions sum to %g, not 1",
                            sum);
    }
    json_t *sp = json_object_get(obj, "speed_mps");
    if (sp) {
        static const char *const sk[] = {"pedestrian", "vehicle", NULL};
        KZ__TRY(kz__keys(c, sp, "ues.speed_mps", sk));
        KZ__TRY(kz__num(c, sp, "ues.speed_mps", "pedestrian", &s->speed_pedestrian_mps, 0, 10));
        KZ__TRY(kz__num(c, sp, "ues.speed_mps", "vehicle", &s->speed_vehicle_mps, 0, 70));
    }
    return 0;
}

static int kz__traffic(struct kz__pctx *c, json_t *obj, struct kz_scenario *s)
{
    static const char *const keys[] = {"profile", "peak_sessions_per_ue_per_hour",
                                       "session_mb_mean", "area_factor", NULL};
    static const char *const pr_names[] = {"earth12", "vienna", "flat", NULL};
    static const int pr_values[] = {KZ_PROFILE_EARTH12, KZ_PROFILE_VIENNA, KZ_PROFILE_FLAT};
    const char *path = "traffic";
    KZ__TRY(kz__keys(c, obj, path, keys));
    int p = (int)s->profile;
    KZ__TRY(kz__enum(c, obj, path, "profile", pr_names, pr_values, &p));
    s->profile = (enum kz_profile)p;
    KZ__TRY(kz__num(c, obj, path, "peak_sessions_per_ue_per_hour",
                    &s->peak_sessions_per_ue_per_hour, 0, 36000));
    double mb = s->session_bytes / 1e6;
    KZ__TRY(kz__num(c, obj, path, "session_mb_mean", &mb, 1e-6, 1e4));
    s->session_bytes = mb * 1e6;
    json_t *af = json_object_get(obj, "area_factor");
    if (af) {
        static const char *const ak[] = {"suburb", "business", "station", NULL};
        KZ__TRY(kz__keys(c, af, "traffic.area_factor", ak));
        for (int i = 0; i < KZ_AREA_COUNT; i++)
            KZ__TRY(kz__num(c, af, "traffic.area_factor", ak[i], &s->area_factor[i], 0, 100));
    }
    return 0;
}

static int kz__policy(struct kz__pctx *c, json_t *obj, struct kz_scenario *s)
{
    static const char *const keys[] = {"attach", "capacity_min_rsrp_dbm", "a3_offset_db",
                                       "time_to_trigger_ms", NULL};
    static const char *const at_names[] = {"capacity-first", "best-rsrp", NULL};
    static const int at_values[] = {KZ_ATTACH_CAPACITY_FIRST, KZ_ATTACH_BEST_RSRP};
    const char *path = "mobility_policy";
    KZ__TRY(kz__keys(c, obj, path, keys));
    int a = (int)s->attach;
    KZ__TRY(kz__enum(c, obj, path, "attach", at_names, at_values, &a));
    s->attach = (enum kz_attach_policy)a;
    KZ__TRY(kz__num(c, obj, path, "capacity_min_rsrp_dbm", &s->capacity_min_rsrp_dbm, -156, -31));
    KZ__TRY(kz__num(c, obj, path, "a3_offset_db", &s->a3_offset_db, -15, 15));
    KZ__TRY(kz__num(c, obj, path, "time_to_trigger_ms", &s->ttt_ms, 0, 5120));
    return 0;
}

static int kz__energy(struct kz__pctx *c, json_t *obj, struct kz_scenario *s)
{
    static const char *const keys[] = {"sleep_transitions", NULL};
    static const char *const names[] = {"38864-cat1", "38864-cat2", NULL};
    static const int values[] = {1, 2};
    KZ__TRY(kz__keys(c, obj, "energy", keys));
    return kz__enum(c, obj, "energy", "sleep_transitions", names, values, &s->sleep_category);
}

static int kz__time(struct kz__pctx *c, json_t *obj, struct kz_scenario *s)
{
    static const char *const keys[] = {"start_s", "duration_s", "step_s", NULL};
    KZ__TRY(kz__keys(c, obj, "time", keys));
    KZ__TRY(kz__num(c, obj, "time", "start_s", &s->start_s, 0, 86400.0 * 366));
    KZ__TRY(kz__num(c, obj, "time", "duration_s", &s->duration_s, 0, 86400.0 * 366));
    KZ__TRY(kz__num(c, obj, "time", "step_s", &s->step_s, 0.001, 3600));
    return 0;
}

static int kz__event(struct kz__pctx *c, json_t *obj, const char *path, size_t idx,
                     struct kz_scenario *s, struct kz_scenario_event *ev)
{
    static const char *const keys[] = {
        "type",  "name",     "site",     "sector",          "start_s",
        "duration_s", "ramp_s", "extra_ues", "sessions_per_ue_per_hour", "session_mb_mean",
        "distance_m", "radius_m", "indoor_fraction", NULL};
    static const char *const type_names[] = {"surge", NULL};
    static const int type_values[] = {KZ_EVENT_SURGE};
    const double max_t = 86400.0 * 366;
    KZ__TRY(kz__keys(c, obj, path, keys));
    memset(ev, 0, sizeof *ev);
    if (!json_object_get(obj, "type"))
        return kz__fail(c, KZ_EINVAL, path, "type", "missing");
    int type = -1;
    KZ__TRY(kz__enum(c, obj, path, "type", type_names, type_values, &type));
    ev->type = (enum kz_event_type)type;
    const char *name = NULL;
    KZ__TRY(kz__str(c, obj, path, "name", &name, 0));
    if (name && (!*name || strlen(name) >= sizeof ev->name))
        return kz__fail(c, KZ_EINVAL, path, "name", "must be 1..%zu characters",
                        sizeof ev->name - 1);
    if (name)
        snprintf(ev->name, sizeof ev->name, "%s", name);
    else
        snprintf(ev->name, sizeof ev->name, "event%zu", idx);
    for (size_t k = 0; k < idx; k++)
        if (strcmp(s->events[k].name, ev->name) == 0)
            return kz__fail(c, KZ_EINVAL, path, "name", "\"%s\" is already used by events[%zu]",
                            ev->name, k);

    uint64_t u = 0;
    KZ__TRY(kz__uint(c, obj, path, "site", &u, UINT32_MAX, 1));
    if (u >= s->n_sites)
        return kz__fail(c, KZ_EINVAL, path, "site", "site %llu does not exist (%zu sites: 0..%zu)",
                        (unsigned long long)u, s->n_sites, s->n_sites - 1);
    ev->site = (uint32_t)u;
    size_t n_macro = kz_topo_sites_for_rings(s->topo.rings);
    ev->sector = KZ_SCENARIO_SECTOR_ALL;
    if (json_object_get(obj, "sector")) {
        if (ev->site >= n_macro)
            return kz__fail(c, KZ_EINVAL, path, "sector",
                            "site %u is a small cell (omnidirectional): no sectors", ev->site);
        u = 0;
        KZ__TRY(kz__uint(c, obj, path, "sector", &u, 2, 0));
        ev->sector = (uint8_t)u;
    }

    if (!json_object_get(obj, "start_s"))
        return kz__fail(c, KZ_EINVAL, path, "start_s", "missing");
    KZ__TRY(kz__num(c, obj, path, "start_s", &ev->start_s, 0, max_t));
    if (!json_object_get(obj, "duration_s"))
        return kz__fail(c, KZ_EINVAL, path, "duration_s", "missing");
    KZ__TRY(kz__num(c, obj, path, "duration_s", &ev->duration_s, 1, max_t));
    KZ__TRY(kz__num(c, obj, path, "ramp_s", &ev->ramp_s, 0, max_t));
    if (ev->ramp_s > ev->duration_s / 2.0)
        return kz__fail(c, KZ_EINVAL, path, "ramp_s",
                        "%g is longer than half of duration_s (%g): UEs ramp in over the first "
                        "ramp_s and out over the last",
                        ev->ramp_s, ev->duration_s);

    u = 0;
    KZ__TRY(kz__uint(c, obj, path, "extra_ues", &u, UINT32_MAX, 1));
    if (u == 0 || u > KZ_SCENARIO_MAX_EVENT_UES)
        return kz__fail(c, KZ_EINVAL, path, "extra_ues", "%llu is outside [1, %u]",
                        (unsigned long long)u, KZ_SCENARIO_MAX_EVENT_UES);
    uint64_t total = (uint64_t)s->n_ues + kz_scenario_event_ues(s) + u;
    if (total > KZ_SCENARIO_MAX_UES)
        return kz__fail(c, KZ_EINVAL, path, "extra_ues",
                        "%llu UEs with the regular and earlier events' ones, at most %u",
                        (unsigned long long)total, KZ_SCENARIO_MAX_UES);
    ev->extra_ues = (uint32_t)u;

    if (!json_object_get(obj, "sessions_per_ue_per_hour"))
        return kz__fail(c, KZ_EINVAL, path, "sessions_per_ue_per_hour", "missing");
    KZ__TRY(kz__num(c, obj, path, "sessions_per_ue_per_hour", &ev->sessions_per_ue_per_hour, 0,
                    36000));
    double mb = s->session_bytes / 1e6;
    KZ__TRY(kz__num(c, obj, path, "session_mb_mean", &mb, 1e-6, 1e4));
    ev->session_bytes = mb * 1e6;
    ev->distance_m = ev->radius_m = -1.0;
    double isd = s->topo.isd_m;
    KZ__TRY(kz__num(c, obj, path, "distance_m", &ev->distance_m, 0, 2.0 * isd));
    if (json_object_get(obj, "distance_m") && ev->sector == KZ_SCENARIO_SECTOR_ALL)
        return kz__fail(c, KZ_EINVAL, path, "distance_m", "only with a sector");
    KZ__TRY(kz__num(c, obj, path, "radius_m", &ev->radius_m, 1, 2.0 * isd));
    KZ__TRY(kz__num(c, obj, path, "indoor_fraction", &ev->indoor_fraction, 0, 1));
    return 0;
}

static int kz__events(struct kz__pctx *c, json_t *v, struct kz_scenario *s)
{
    if (!json_is_array(v))
        return kz__fail(c, KZ_EINVAL, "events", NULL, "must be an array of event objects");
    size_t n = json_array_size(v);
    if (n > KZ_SCENARIO_MAX_EVENTS)
        return kz__fail(c, KZ_EINVAL, "events", NULL, "%zu events, at most %d", n,
                        KZ_SCENARIO_MAX_EVENTS);
    s->n_events = 0;
    for (size_t i = 0; i < n; i++) {
        char path[32];
        snprintf(path, sizeof path, "events[%zu]", i);
        KZ__TRY(kz__event(c, json_array_get(v, i), path, i, s, &s->events[i]));
        s->n_events = i + 1;
    }
    return 0;
}

uint32_t kz_scenario_event_ues(const struct kz_scenario *s)
{
    uint64_t n = 0;
    for (size_t i = 0; i < s->n_events; i++)
        n += s->events[i].extra_ues;
    return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

void kz_scenario_default(struct kz_scenario *s)
{
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", "unnamed");
    s->seed = 1;
    s->duration_s = 86400.0;
    s->step_s = 1.0;
    kz_topo_cfg_default(&s->topo);
    s->power[KZ_LAYER_COVERAGE] = KZ_PWR_EARTH_MACRO_SECTOR;
    s->power[KZ_LAYER_CAPACITY] = KZ_PWR_38864_SET1;
    s->power[KZ_LAYER_SMALL] = KZ_PWR_EARTH_MICRO; /* 30 dBm: between pico and micro */
    s->sleep_category = 2;
    s->n_sites = kz_topo_sites_for_rings(s->topo.rings);
    kz_radio_cfg_default(&s->radio);
    s->n_ues = 2000;
    s->indoor_fraction = 0.8; /* TR 38.901 Table 7.2-1 */
    s->ue_height_m = 1.5;
    s->mob_static = 0.5;
    s->mob_pedestrian = 0.4;
    s->mob_vehicle = 0.1;
    s->speed_pedestrian_mps = 1.4; /* 5 km/h */
    s->speed_vehicle_mps = 8.3;    /* 30 km/h */
    s->profile = KZ_PROFILE_EARTH12;
    s->peak_sessions_per_ue_per_hour = 95.0;
    s->session_bytes = KZ_TRAFFIC_DEFAULT_SESSION_BYTES;
    for (int i = 0; i < KZ_AREA_COUNT; i++)
        s->area_factor[i] = kz_traffic_area_factor((enum kz_area)i);
    s->attach = KZ_ATTACH_CAPACITY_FIRST;
    s->capacity_min_rsrp_dbm = -110.0;
    s->a3_offset_db = 3.0;
    s->ttt_ms = 320.0;
}

static int kz__top(struct kz__pctx *c, json_t *root, struct kz_scenario *s)
{
    static const char *const keys[] = {"format",   "name",     "description", "seed",
                                       "time",     "network",  "site_areas",  "radio",
                                       "ues",      "traffic",  "mobility_policy", "energy",
                                       "events",   NULL};
    KZ__TRY(kz__keys(c, root, "", keys));
    const char *fmt = NULL, *name = NULL, *desc = NULL;
    KZ__TRY(kz__str(c, root, "", "format", &fmt, 1));
    if (strcmp(fmt, KZ_SCENARIO_FORMAT) != 0)
        return kz__fail(c, KZ_EINVAL, "", "format", "\"%s\" is not \"%s\"", fmt,
                        KZ_SCENARIO_FORMAT);
    KZ__TRY(kz__str(c, root, "", "name", &name, 1));
    if (!*name || strlen(name) >= sizeof s->name)
        return kz__fail(c, KZ_EINVAL, "", "name", "must be 1..%zu characters",
                        sizeof s->name - 1);
    snprintf(s->name, sizeof s->name, "%s", name);
    KZ__TRY(kz__str(c, root, "", "description", &desc, 0));
    KZ__TRY(kz__uint(c, root, "", "seed", &s->seed, UINT64_MAX, 1));
    json_t *v;
    if ((v = json_object_get(root, "time")))
        KZ__TRY(kz__time(c, v, s));
    if (!(v = json_object_get(root, "network")))
        return kz__fail(c, KZ_EINVAL, "", "network", "missing");
    KZ__TRY(kz__network(c, v, s));
    if ((v = json_object_get(root, "site_areas")))
        KZ__TRY(kz__site_areas(c, v, s));
    if ((v = json_object_get(root, "radio")))
        KZ__TRY(kz__radio(c, v, s));
    if (!(v = json_object_get(root, "ues")))
        return kz__fail(c, KZ_EINVAL, "", "ues", "missing");
    KZ__TRY(kz__ues(c, v, s));
    if ((v = json_object_get(root, "traffic")))
        KZ__TRY(kz__traffic(c, v, s));
    if ((v = json_object_get(root, "mobility_policy")))
        KZ__TRY(kz__policy(c, v, s));
    if ((v = json_object_get(root, "energy")))
        KZ__TRY(kz__energy(c, v, s));
    if ((v = json_object_get(root, "events"))) /* last: uses the network, UEs and traffic */
        KZ__TRY(kz__events(c, v, s));
    s->radio.seed = s->seed;
    return 0;
}

int kz_scenario_parse(const char *json, size_t len, struct kz_scenario *s, char *err,
                      size_t errlen)
{
    struct kz__pctx c = {err, errlen};
    if (err && errlen)
        err[0] = '\0';
    if (!json || !s)
        return KZ_EINVAL;
    kz_scenario_default(s);
    json_error_t je;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return kz__fail(&c, KZ_EJSON, "", NULL, "line %d column %d: %s", je.line, je.column,
                        je.text);
    int rc = kz__top(&c, root, s);
    json_decref(root);
    return rc;
}

void kz_scenario_topo_cfg(const struct kz_scenario *s, struct kz_topo_cfg *out)
{
    *out = s->topo;
    out->small_pos = s->topo.n_small ? s->small_pos : NULL;
}

double kz_scenario_peak_rate_per_ue(const struct kz_scenario *s)
{
    return s->peak_sessions_per_ue_per_hour / 3600.0;
}
