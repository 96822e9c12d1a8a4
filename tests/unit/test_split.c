/*
 * test_split.c — specification of split.h: the test and validation sets
 * hold exactly the configured counts, no beat is used twice, shards hold
 * only normal beats and together all the normals left, and the three
 * schemes size the shards as documented. The seed decides everything.
 *
 * Beats are made by hand: only their labels and sites matter to a split,
 * so each has one sample, its own row number. Anomalies are spread among
 * the normals (every fourth beat) so that indices of both kinds mix.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "data.h"
#include "err.h"
#include "split.h"

/* n_normal + n_anomalous beats; beat i is anomalous when i % 4 == 3
 * until the anomalies run out; sites are consecutive blocks of about
 * n / n_sites beats. */
static beats_t beats_make(int64_t n_normal, int64_t n_anomalous,
                          int n_sites)
{
    beats_t b = {0};
    int64_t left_norm = n_normal, left_anom = n_anomalous;

    b.n = n_normal + n_anomalous;
    b.length = 1;
    b.n_sites = n_sites;
    b.x = calloc((size_t)b.n, sizeof *b.x);
    b.anomalous = calloc((size_t)b.n, 1);
    b.cls = calloc((size_t)b.n, sizeof *b.cls);
    b.source_row = calloc((size_t)b.n, sizeof *b.source_row);
    b.site = calloc((size_t)b.n, sizeof *b.site);
    cr_assert(b.x && b.anomalous && b.cls && b.source_row && b.site);
    for (int64_t i = 0; i < b.n; i++) {
        int anom = left_norm == 0 || (left_anom > 0 && i % 4 == 3);
        b.anomalous[i] = (uint8_t)anom;
        anom ? left_anom-- : left_norm--;
        b.x[i] = (float)i;
        b.cls[i] = anom ? 2 : 1;
        b.source_row[i] = i;
        b.site[i] = (int32_t)(i * n_sites / b.n);
    }
    b.cap = b.n;
    return b;
}

/* The protocol in miniature: 7 members, 10 + 5 test and validation
 * normals, 10 + 5 anomalies. */
static config_t config_small(void)
{
    config_t cfg;

    config_defaults(&cfg);
    cfg.members = 7;
    cfg.test_normal = 10;
    cfg.val_normal = 5;
    cfg.test_anomalous = 10;
    cfg.val_anomalous = 5;
    return cfg;
}

static void split_ok(const config_t *cfg, const beats_t *b, split_t *s)
{
    cr_assert_eq(split_make(cfg, b, s), 0, "split_make: %s", err_msg());
}

static int64_t shard_size(const split_t *s, int k)
{
    return s->offsets[k + 1] - s->offsets[k];
}

static int64_t count_anomalous(const beats_t *b, const int64_t *idx,
                               int64_t n)
{
    int64_t c = 0;
    for (int64_t i = 0; i < n; i++)
        c += b->anomalous[idx[i]];
    return c;
}

#define assert_msg_has(part)                                               \
    cr_assert_not_null(strstr(err_msg(), (part)),                          \
                       "message lacks \"%s\": %s", (part), err_msg())

/* ---- the even scheme --------------------------------------------------- */

Test(split_even, shards_differ_by_at_most_one_beat)
{
    config_t cfg = config_small();
    beats_t b = beats_make(100, 30, 1);
    int64_t lo = INT64_MAX, hi = 0;
    split_t s;

    split_ok(&cfg, &b, &s);
    for (int k = 0; k < s.members; k++) {
        lo = shard_size(&s, k) < lo ? shard_size(&s, k) : lo;
        hi = shard_size(&s, k) > hi ? shard_size(&s, k) : hi;
    }
    /* 85 normals left for 7 members: 85 = 7 * 12 + 1, so 12 and 13. */
    cr_assert_eq(lo, 12);
    cr_assert_eq(hi, 13);
    split_free(&s);
    beats_free(&b);
}

Test(split_even, shards_sum_to_the_normals_left_after_test_and_val)
{
    config_t cfg = config_small();
    beats_t b = beats_make(100, 30, 1);
    split_t s;

    split_ok(&cfg, &b, &s);
    cr_assert_eq(s.members, 7);
    cr_assert_eq(s.offsets[0], 0);
    /* 100 normals - 10 test - 5 validation = 85. */
    cr_assert_eq(s.offsets[7], 85);
    split_free(&s);
    beats_free(&b);
}

Test(split_even, test_set_holds_the_configured_counts)
{
    config_t cfg = config_small();
    beats_t b = beats_make(100, 30, 1);
    split_t s;

    split_ok(&cfg, &b, &s);
    cr_assert_eq(s.n_test, 20);
    cr_assert_eq(count_anomalous(&b, s.test, s.n_test), 10);
    split_free(&s);
    beats_free(&b);
}

Test(split_even, validation_set_holds_the_configured_counts)
{
    config_t cfg = config_small();
    beats_t b = beats_make(100, 30, 1);
    split_t s;

    split_ok(&cfg, &b, &s);
    cr_assert_eq(s.n_val, 10);
    cr_assert_eq(count_anomalous(&b, s.val, s.n_val), 5);
    split_free(&s);
    beats_free(&b);
}

Test(split_even, no_beat_is_used_twice)
{
    config_t cfg = config_small();
    beats_t b = beats_make(100, 30, 1);
    int uses[130] = {0};
    split_t s;

    split_ok(&cfg, &b, &s);
    for (int64_t i = 0; i < s.offsets[s.members]; i++)
        uses[s.train[i]]++;
    for (int64_t i = 0; i < s.n_val; i++)
        uses[s.val[i]]++;
    for (int64_t i = 0; i < s.n_test; i++)
        uses[s.test[i]]++;
    for (int i = 0; i < 130; i++)
        cr_assert_leq(uses[i], 1, "beat %d used %d times", i, uses[i]);
    split_free(&s);
    beats_free(&b);
}

Test(split_even, every_normal_beat_is_used)
{
    config_t cfg = config_small();
    beats_t b = beats_make(100, 30, 1);
    int used[130] = {0};
    split_t s;

    split_ok(&cfg, &b, &s);
    for (int64_t i = 0; i < s.offsets[s.members]; i++)
        used[s.train[i]] = 1;
    for (int64_t i = 0; i < s.n_val; i++)
        used[s.val[i]] = 1;
    for (int64_t i = 0; i < s.n_test; i++)
        used[s.test[i]] = 1;
    for (int i = 0; i < 130; i++)
        if (!b.anomalous[i])
            cr_assert(used[i], "normal beat %d left out", i);
    split_free(&s);
    beats_free(&b);
}

Test(split_even, shards_hold_only_normal_beats)
{
    config_t cfg = config_small();
    beats_t b = beats_make(100, 30, 1);
    split_t s;

    split_ok(&cfg, &b, &s);
    cr_assert_eq(count_anomalous(&b, s.train, s.offsets[s.members]), 0);
    split_free(&s);
    beats_free(&b);
}

Test(split_even, test_and_validation_indices_are_in_input_order)
{
    config_t cfg = config_small();
    beats_t b = beats_make(100, 30, 1);
    split_t s;

    split_ok(&cfg, &b, &s);
    for (int64_t i = 1; i < s.n_test; i++)
        cr_assert_lt(s.test[i - 1], s.test[i]);
    for (int64_t i = 1; i < s.n_val; i++)
        cr_assert_lt(s.val[i - 1], s.val[i]);
    split_free(&s);
    beats_free(&b);
}

Test(split_even, just_enough_normals_give_one_beat_per_member)
{
    config_t cfg = config_small();
    beats_t b = beats_make(10 + 5 + 7, 15, 1);
    split_t s;

    split_ok(&cfg, &b, &s);
    for (int k = 0; k < 7; k++)
        cr_assert_eq(shard_size(&s, k), 1, "member %d", k);
    split_free(&s);
    beats_free(&b);
}

Test(split_even, same_seed_gives_the_same_split)
{
    config_t cfg = config_small();
    beats_t b = beats_make(100, 30, 1);
    split_t s1, s2;

    split_ok(&cfg, &b, &s1);
    split_ok(&cfg, &b, &s2);
    cr_assert_eq(memcmp(s1.train, s2.train, 85 * sizeof *s1.train), 0);
    cr_assert_eq(memcmp(s1.test, s2.test, 20 * sizeof *s1.test), 0);
    cr_assert_eq(memcmp(s1.val, s2.val, 10 * sizeof *s1.val), 0);
    split_free(&s1);
    split_free(&s2);
    beats_free(&b);
}

Test(split_even, different_seed_gives_a_different_split)
{
    config_t cfg = config_small();
    beats_t b = beats_make(100, 30, 1);
    split_t s1, s2;

    split_ok(&cfg, &b, &s1);
    cfg.partition_seed = 43;
    split_ok(&cfg, &b, &s2);
    /* The same 20 of 130 beats by chance is vanishingly unlikely. */
    cr_assert_neq(memcmp(s1.test, s2.test, 20 * sizeof *s1.test), 0);
    cr_assert_neq(memcmp(s1.train, s2.train, 85 * sizeof *s1.train), 0);
    split_free(&s1);
    split_free(&s2);
    beats_free(&b);
}

Test(split_even, zero_validation_gives_an_empty_validation_set)
{
    config_t cfg = config_small();
    beats_t b = beats_make(100, 30, 1);
    split_t s;

    cfg.val_normal = 0;
    cfg.val_anomalous = 0;
    split_ok(&cfg, &b, &s);
    cr_assert_eq(s.n_val, 0);
    cr_assert_eq(s.offsets[7], 90);
    split_free(&s);
    beats_free(&b);
}

/* ---- the dirichlet scheme ---------------------------------------------- */

static config_t config_dirichlet(double alpha, int members)
{
    config_t cfg = config_small();

    strcpy(cfg.scheme, "dirichlet");
    cfg.dirichlet_alpha = alpha;
    cfg.members = members;
    return cfg;
}

/* Shard sizes for seeds 0..n_seeds-1 must each be >= 1 and sum to the
 * 85 normals left. */
static void assert_dirichlet_sizes_valid(double alpha, int members,
                                         int n_seeds)
{
    config_t cfg = config_dirichlet(alpha, members);
    beats_t b = beats_make(100, 30, 1);

    for (int seed = 0; seed < n_seeds; seed++) {
        split_t s;

        cfg.partition_seed = seed;
        split_ok(&cfg, &b, &s);
        cr_assert_eq(s.offsets[members], 85, "seed %d", seed);
        for (int k = 0; k < members; k++)
            cr_assert_geq(shard_size(&s, k), 1, "seed %d member %d", seed,
                          k);
        split_free(&s);
    }
    beats_free(&b);
}

Test(split_dirichlet, sizes_sum_to_the_normals_left_each_at_least_one)
{
    assert_dirichlet_sizes_valid(1.0, 7, 20);
}

Test(split_dirichlet, small_alpha_still_gives_every_member_a_beat)
{
    assert_dirichlet_sizes_valid(0.05, 7, 20);
}

Test(split_dirichlet, smallest_allowed_alpha_still_gives_valid_shards)
{
    /* partition.dirichlet_alpha accepts 1e-3. */
    assert_dirichlet_sizes_valid(1e-3, 2, 20);
}

/* Seeds, of 20, whose largest shard holds more than half the beats. */
static int dominated_splits(double alpha)
{
    config_t cfg = config_dirichlet(alpha, 5);
    beats_t b = beats_make(100, 30, 1);
    int dominated = 0;

    for (int seed = 0; seed < 20; seed++) {
        split_t s;
        int64_t hi = 0;

        cfg.partition_seed = seed;
        split_ok(&cfg, &b, &s);
        for (int k = 0; k < 5; k++)
            hi = shard_size(&s, k) > hi ? shard_size(&s, k) : hi;
        dominated += 2 * hi > s.offsets[5];
        split_free(&s);
    }
    beats_free(&b);
    return dominated;
}

Test(split_dirichlet, small_alpha_gives_uneven_shards)
{
    /* At alpha = 0.05 the weights sit near a corner of the simplex: one
     * member takes most beats nearly always (even shards would be 17). */
    cr_assert_geq(dominated_splits(0.05), 15);
}

Test(split_dirichlet, large_alpha_gives_near_even_shards)
{
    /* At alpha = 1000 each weight is 0.2 within a few percent. */
    cr_assert_eq(dominated_splits(1000.0), 0);
}

Test(split_dirichlet, shards_hold_only_normal_beats)
{
    config_t cfg = config_dirichlet(0.3, 7);
    beats_t b = beats_make(100, 30, 1);
    split_t s;

    split_ok(&cfg, &b, &s);
    cr_assert_eq(count_anomalous(&b, s.train, s.offsets[s.members]), 0);
    split_free(&s);
    beats_free(&b);
}

/* ---- the sites scheme -------------------------------------------------- */

static config_t config_sites(int members)
{
    config_t cfg = config_small();

    strcpy(cfg.scheme, "sites");
    cfg.members = members;
    return cfg;
}

Test(split_sites, shard_k_holds_only_beats_of_site_k)
{
    config_t cfg = config_sites(3);
    beats_t b = beats_make(100, 30, 3);
    split_t s;

    split_ok(&cfg, &b, &s);
    for (int k = 0; k < 3; k++)
        for (int64_t i = s.offsets[k]; i < s.offsets[k + 1]; i++)
            cr_assert_eq(b.site[s.train[i]], k, "shard %d has beat %lld",
                         k, (long long)s.train[i]);
    split_free(&s);
    beats_free(&b);
}

Test(split_sites, shard_k_holds_every_normal_of_site_k_left)
{
    config_t cfg = config_sites(3);
    beats_t b = beats_make(100, 30, 3);
    int held[130] = {0};
    split_t s;

    split_ok(&cfg, &b, &s);
    for (int64_t i = 0; i < s.n_test; i++)
        held[s.test[i]] = 1;
    for (int64_t i = 0; i < s.n_val; i++)
        held[s.val[i]] = 1;
    cr_assert_eq(s.offsets[3], 85);
    for (int k = 0; k < 3; k++) {
        int64_t want = 0;
        for (int i = 0; i < 130; i++)
            want += b.site[i] == k && !b.anomalous[i] && !held[i];
        cr_assert_eq(shard_size(&s, k), want, "shard %d", k);
    }
    split_free(&s);
    beats_free(&b);
}

Test(split_sites, members_other_than_the_number_of_sites_is_an_error)
{
    config_t cfg = config_sites(4);
    beats_t b = beats_make(100, 30, 3);
    split_t s;

    cr_assert_eq(split_make(&cfg, &b, &s), -1);
    assert_msg_has("3 file(s)");
    assert_msg_has("members = 4");
    beats_free(&b);
}

Test(split_sites, site_without_normal_beats_left_is_an_error)
{
    config_t cfg = config_sites(2);
    beats_t b = beats_make(100, 30, 2);
    split_t s;

    /* Site 1 (the last 65 beats) loses its normals to anomalies. */
    for (int64_t i = 65; i < b.n; i++)
        b.anomalous[i] = 1;
    cfg.test_anomalous = 0;
    cfg.val_anomalous = 0;
    cr_assert_eq(split_make(&cfg, &b, &s), -1);
    assert_msg_has("site 1");
    beats_free(&b);
}

/* ---- what the beats cannot satisfy ------------------------------------- */

Test(split_errors, input_without_normal_beats_is_an_error)
{
    config_t cfg = config_small();
    beats_t b = beats_make(0, 40, 1);
    split_t s;

    cr_assert_eq(split_make(&cfg, &b, &s), -1);
    assert_msg_has("no normal beats");
    beats_free(&b);
}

Test(split_errors, too_few_normals_error_gives_the_numbers)
{
    config_t cfg = config_small();
    beats_t b = beats_make(21, 30, 1);
    split_t s;

    /* 10 test + 5 validation + 7 members = 22 normals needed. */
    cr_assert_eq(split_make(&cfg, &b, &s), -1);
    assert_msg_has("21");
    assert_msg_has("(10)");
    assert_msg_has("(5)");
    assert_msg_has("(7)");
    beats_free(&b);
}

Test(split_errors, too_few_anomalies_error_gives_the_numbers)
{
    config_t cfg = config_small();
    beats_t b = beats_make(100, 14, 1);
    split_t s;

    /* 10 test + 5 validation anomalies needed, 14 there. */
    cr_assert_eq(split_make(&cfg, &b, &s), -1);
    assert_msg_has("14 anomalous");
    assert_msg_has("(10)");
    assert_msg_has("(5)");
    beats_free(&b);
}
