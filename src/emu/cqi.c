/*
 * emu/cqi.c -- TS 38.214 CQI tables 1 and 2, SINR thresholds, TS 38.306 throughput.
 * See cqi.h for why this exists, its sources and the threshold approximation.
 */
#include "emu/cqi.h"

#include <math.h>
#include <stddef.h>

/* TS 38.214 Table 5.2.2.1-2; thresholds = 10 log10(2^se - 1) + 2.5 dB (test-checked). */
static const struct kz_cqi_entry kz__cqi_table1[KZ_CQI_MAX + 1] = {
    {0, 0, 0.0, -INFINITY},
    {2, 78, 0.1523, -7.033496},
    {2, 120, 0.2344, -5.034586},
    {2, 193, 0.3770, -2.748541},
    {2, 308, 0.6016, -0.361748},
    {2, 449, 0.8770, 1.724931},
    {2, 602, 1.1758, 3.500882},
    {4, 378, 1.4766, 5.011321},
    {4, 490, 1.9141, 6.922894},
    {4, 616, 2.4063, 8.835826},
    {6, 466, 2.7305, 10.010370},
    {6, 567, 3.3223, 12.043669},
    {6, 666, 3.9023, 13.946473},
    {6, 772, 4.5234, 15.923717},
    {6, 873, 5.1152, 17.771142},
    {6, 948, 5.5547, 19.127920},
};

/* TS 38.214 Table 5.2.2.1-3. */
static const struct kz_cqi_entry kz__cqi_table2[KZ_CQI_MAX + 1] = {
    {0, 0, 0.0, -INFINITY},
    {2, 78, 0.1523, -7.033496},
    {2, 193, 0.3770, -2.748541},
    {2, 449, 0.8770, 1.724931},
    {4, 378, 1.4766, 5.011321},
    {4, 490, 1.9141, 6.922894},
    {4, 616, 2.4063, 8.835826},
    {6, 466, 2.7305, 10.010370},
    {6, 567, 3.3223, 12.043669},
    {6, 666, 3.9023, 13.946473},
    {6, 772, 4.5234, 15.923717},
    {6, 873, 5.1152, 17.771142},
    {8, 711, 5.5547, 19.127920},
    {8, 797, 6.2266, 21.185548},
    {8, 885, 6.9141, 23.277354},
    {8, 948, 7.4063, 24.769507},
};

static const struct kz_cqi_entry *kz__table(enum kz_cqi_table table)
{
    switch (table) {
    case KZ_CQI_TABLE1: return kz__cqi_table1;
    case KZ_CQI_TABLE2: return kz__cqi_table2;
    default: return NULL;
    }
}

const struct kz_cqi_entry *kz_cqi_entry(enum kz_cqi_table table, unsigned cqi)
{
    const struct kz_cqi_entry *t = kz__table(table);
    if (!t || cqi > KZ_CQI_MAX)
        return NULL;
    return &t[cqi];
}

double kz_cqi_se(enum kz_cqi_table table, unsigned cqi)
{
    const struct kz_cqi_entry *e = kz_cqi_entry(table, cqi);
    return e ? e->se : 0.0;
}

unsigned kz_cqi_from_sinr(enum kz_cqi_table table, double sinr_db)
{
    const struct kz_cqi_entry *t = kz__table(table);
    if (!t || isnan(sinr_db))
        return 0;
    unsigned cqi = 0;
    for (unsigned i = 1; i <= KZ_CQI_MAX && sinr_db >= t[i].sinr_db; i++)
        cqi = i;
    return cqi;
}

double kz_cqi_threshold_formula_db(double se)
{
    return 10.0 * log10(pow(2.0, se) - 1.0) + KZ_CQI_GAP_DB;
}

double kz_cqi_se_36942(double sinr_db)
{
    if (!(sinr_db >= -10.0))
        return 0.0;
    double se = 0.6 * log2(1.0 + pow(10.0, sinr_db / 10.0));
    return se > 4.4 ? 4.4 : se;
}

double kz_cqi_rate_per_prb_bps(double se, unsigned layers, unsigned scs_khz, double dl_fraction,
                               double overhead)
{
    /* 14 symbols per slot, 2^mu slots per ms: 14 x SCS/15 kHz symbols per ms. */
    double symbols_per_s = 14.0 * ((double)scs_khz / 15.0) * 1000.0;
    return (double)layers * se * 12.0 * symbols_per_s * (1.0 - overhead) * dl_fraction;
}

double kz_cqi_throughput_bps(double se, unsigned layers, unsigned n_prb, unsigned scs_khz,
                             double dl_fraction, double overhead)
{
    return (double)n_prb * kz_cqi_rate_per_prb_bps(se, layers, scs_khz, dl_fraction, overhead);
}
