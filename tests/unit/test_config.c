/*
 * test_config.c — specification of config.h: the defaults are the study's
 * protocol, an INI file and `--set` overrides change only what they name,
 * every bad key or value is refused with a message naming where it came
 * from, config_check catches what no single key can, and the printed
 * configuration reads back to itself.
 *
 * Each INI file is written to its own temporary file under /tmp and
 * removed when the test ends.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "err.h"

#define EPS 1e-12

static char ini_path[64];

/* Writes text to a fresh temporary file, remembered in ini_path. */
static const char *ini_write(const char *text)
{
    int fd;
    FILE *f;

    snprintf(ini_path, sizeof ini_path, "/tmp/ensad-test-config-XXXXXX");
    fd = mkstemp(ini_path);
    cr_assert_geq(fd, 0, "mkstemp failed");
    f = fdopen(fd, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
    return ini_path;
}

static void ini_remove(void)
{
    if (ini_path[0])
        unlink(ini_path);
    ini_path[0] = '\0';
}

/* Loads text over the defaults into cfg; returns config_load's status. */
static int load_text(config_t *cfg, const char *text)
{
    config_defaults(cfg);
    return config_load(cfg, ini_write(text));
}

#define assert_msg_has(part)                                               \
    cr_assert_not_null(strstr(err_msg(), (part)),                          \
                       "message lacks \"%s\": %s", (part), err_msg())

/* ---- defaults ---------------------------------------------------------- */

Test(config, defaults_train_nine_members_for_100_epochs)
{
    config_t cfg;

    config_defaults(&cfg);
    cr_assert_eq(cfg.members, 9);
    cr_assert_eq(cfg.epochs, 100);
}

Test(config, defaults_use_adam_at_lr_0_01_on_batches_of_32)
{
    config_t cfg;

    config_defaults(&cfg);
    cr_assert_float_eq(cfg.lr, 0.01, EPS);
    cr_assert_eq(cfg.batch, 32);
}

Test(config, defaults_flag_at_alpha_0_05)
{
    config_t cfg;

    config_defaults(&cfg);
    cr_assert_str_eq(cfg.threshold, "alpha");
    cr_assert_float_eq(cfg.alpha, 0.05, EPS);
}

Test(config, defaults_encode_through_32_16_10)
{
    config_t cfg;

    config_defaults(&cfg);
    cr_assert_eq(cfg.n_encoder, 3);
    cr_assert_eq(cfg.encoder[0], 32);
    cr_assert_eq(cfg.encoder[1], 16);
    cr_assert_eq(cfg.encoder[2], 10);
}

Test(config, defaults_seed_split_and_training_with_42)
{
    config_t cfg;

    config_defaults(&cfg);
    cr_assert_eq(cfg.partition_seed, 42);
    cr_assert_eq(cfg.train_seed, 42);
}

Test(config, defaults_split_evenly_and_combine_by_mean)
{
    config_t cfg;

    config_defaults(&cfg);
    cr_assert_str_eq(cfg.scheme, "even");
    cr_assert_str_eq(cfg.rule, "mean");
    cr_assert_str_eq(cfg.data_format, "auto");
    cr_assert_str_eq(cfg.data_path, "");
}

/* ---- config_load ------------------------------------------------------- */

TestSuite(config_load, .fini = ini_remove);

Test(config_load, file_overrides_the_values_it_names)
{
    config_t cfg;
    int rc = load_text(&cfg, "[partition]\n"
                             "members = 4\n"
                             "[train]\n"
                             "epochs = 20\n"
                             "lr = 0.5\n"
                             "[model]\n"
                             "encoder = 64, 8\n"
                             "[ensemble]\n"
                             "rule = median\n");

    cr_assert_eq(rc, 0, "config_load: %s", err_msg());
    cr_assert_eq(cfg.members, 4);
    cr_assert_eq(cfg.epochs, 20);
    cr_assert_float_eq(cfg.lr, 0.5, EPS);
    cr_assert_eq(cfg.n_encoder, 2);
    cr_assert_eq(cfg.encoder[0], 64);
    cr_assert_eq(cfg.encoder[1], 8);
    cr_assert_str_eq(cfg.rule, "median");
}

Test(config_load, file_keeps_the_defaults_it_does_not_name)
{
    config_t cfg;
    int rc = load_text(&cfg, "[train]\nepochs = 20\n");

    cr_assert_eq(rc, 0, "config_load: %s", err_msg());
    cr_assert_eq(cfg.batch, 32);
    cr_assert_eq(cfg.members, 9);
    cr_assert_float_eq(cfg.alpha, 0.05, EPS);
}

Test(config_load, remembers_the_file_it_read)
{
    config_t cfg;
    int rc = load_text(&cfg, "[train]\nepochs = 20\n");

    cr_assert_eq(rc, 0, "config_load: %s", err_msg());
    cr_assert_str_eq(cfg.source, ini_path);
}

Test(config_load, comments_and_blank_lines_are_ignored)
{
    config_t cfg;
    int rc = load_text(&cfg, "; a comment\n"
                             "\n"
                             "[train]\n"
                             "; another\n"
                             "epochs = 7\n");

    cr_assert_eq(rc, 0, "config_load: %s", err_msg());
    cr_assert_eq(cfg.epochs, 7);
}

Test(config_load, unknown_key_error_names_file_line_and_key)
{
    config_t cfg;
    int rc = load_text(&cfg, "[train]\n"
                             "epochs = 20\n"
                             "epohcs = 30\n");

    cr_assert_eq(rc, -1);
    assert_msg_has(ini_path);
    assert_msg_has(":3:");
    assert_msg_has("epohcs");
}

Test(config_load, key_set_twice_names_both_lines)
{
    config_t cfg;
    int rc = load_text(&cfg, "[train]\n"
                             "epochs = 20\n"
                             "\n"
                             "[train]\n"
                             "epochs = 30\n");

    cr_assert_eq(rc, -1);
    assert_msg_has(":5:");
    assert_msg_has("train.epochs is set twice (first on line 2)");
}

Test(config_load, unknown_section_error_names_file_line_and_section)
{
    config_t cfg;
    int rc = load_text(&cfg, "[train]\n"
                             "epochs = 20\n"
                             "[trian]\n"
                             "batch = 8\n");

    /* The handler sees the section at its first key, line 4. */
    cr_assert_eq(rc, -1);
    assert_msg_has(ini_path);
    assert_msg_has(":4:");
    assert_msg_has("trian");
}

Test(config_load, integer_with_trailing_letters_is_refused)
{
    config_t cfg;
    int rc = load_text(&cfg, "[train]\nepochs = 12abc\n");

    cr_assert_eq(rc, -1);
    assert_msg_has(ini_path);
    assert_msg_has(":2:");
    assert_msg_has("train.epochs");
    assert_msg_has("12abc");
}

Test(config_load, zero_members_is_out_of_range)
{
    config_t cfg;
    int rc = load_text(&cfg, "[partition]\nmembers = 0\n");

    cr_assert_eq(rc, -1);
    assert_msg_has(":2:");
    assert_msg_has("partition.members");
    assert_msg_has("out of range");
}

Test(config_load, alpha_above_one_is_out_of_range)
{
    config_t cfg;
    int rc = load_text(&cfg, "[ensemble]\nalpha = 2\n");

    cr_assert_eq(rc, -1);
    assert_msg_has(":2:");
    assert_msg_has("ensemble.alpha");
    assert_msg_has("out of range");
}

Test(config_load, range_ends_are_accepted)
{
    config_t cfg;
    int rc = load_text(&cfg, "[partition]\n"
                             "members = 1\n"
                             "[ensemble]\n"
                             "alpha = 1\n"
                             "target_fpr = 0\n");

    cr_assert_eq(rc, 0, "config_load: %s", err_msg());
    cr_assert_eq(cfg.members, 1);
    cr_assert_float_eq(cfg.alpha, 1.0, EPS);
    cr_assert_float_eq(cfg.target_fpr, 0.0, EPS);
}

Test(config_load, word_for_a_number_is_refused)
{
    config_t cfg;
    int rc = load_text(&cfg, "[train]\nlr = fast\n");

    cr_assert_eq(rc, -1);
    assert_msg_has(":2:");
    assert_msg_has("train.lr");
    assert_msg_has("fast");
}

Test(config_load, nan_for_a_number_is_refused)
{
    config_t cfg;
    int rc = load_text(&cfg, "[train]\nlr = nan\n");

    cr_assert_eq(rc, -1);
    assert_msg_has("train.lr");
}

Test(config_load, choice_outside_the_list_is_refused_naming_the_list)
{
    config_t cfg;
    int rc = load_text(&cfg, "[ensemble]\nrule = average\n");

    cr_assert_eq(rc, -1);
    assert_msg_has(":2:");
    assert_msg_has("ensemble.rule");
    assert_msg_has("average");
    assert_msg_has("mean|median");
}

Test(config_load, encoder_width_of_zero_is_refused)
{
    config_t cfg;
    int rc = load_text(&cfg, "[model]\nencoder = 32,0,10\n");

    cr_assert_eq(rc, -1);
    assert_msg_has("model.encoder");
    assert_msg_has("'0'");
}

Test(config_load, line_that_is_not_ini_is_refused_with_its_line)
{
    config_t cfg;
    int rc = load_text(&cfg, "[train]\n"
                             "epochs = 20\n"
                             "just some words\n");

    cr_assert_eq(rc, -1);
    assert_msg_has(ini_path);
    assert_msg_has(":3:");
}

Test(config_load, first_of_two_errors_is_reported_at_its_own_line)
{
    config_t cfg;
    int rc = load_text(&cfg, "[train]\n"
                             "just some words\n"
                             "epochs = 20\n"
                             "epohcs = 30\n");

    /* Line 2 is the first error; the message must describe line 2, not
     * pair line 2's number with line 4's unknown key. */
    cr_assert_eq(rc, -1);
    assert_msg_has(":2:");
    cr_assert_null(strstr(err_msg(), "epohcs"),
                   "line 2's number with line 4's fault: %s", err_msg());
}

Test(config_load, missing_file_error_names_it)
{
    config_t cfg;
    const char *path = "/tmp/ensad-test-config-no-such-file.ini";

    config_defaults(&cfg);
    cr_assert_eq(config_load(&cfg, path), -1);
    assert_msg_has(path);
}

/* ---- config_check ------------------------------------------------------ */

TestSuite(config_check, .fini = ini_remove);

Test(config_check, missing_data_path_is_named_when_format_is_auto)
{
    config_t cfg;

    config_defaults(&cfg);
    cr_assert_eq(config_check(&cfg), -1);
    assert_msg_has("data.path");
}

Test(config_check, missing_data_path_error_names_the_config_file)
{
    config_t cfg;
    int rc = load_text(&cfg, "[train]\nepochs = 20\n");

    cr_assert_eq(rc, 0, "config_load: %s", err_msg());
    cr_assert_eq(config_check(&cfg), -1);
    assert_msg_has(ini_path);
    assert_msg_has("data.path");
}

Test(config_check, synth_format_needs_no_data_path)
{
    config_t cfg;

    config_defaults(&cfg);
    strcpy(cfg.data_format, "synth");
    cr_assert_eq(config_check(&cfg), 0, "config_check: %s", err_msg());
}

Test(config_check, data_path_given_passes)
{
    config_t cfg;

    config_defaults(&cfg);
    strcpy(cfg.data_path, "ecg.csv");
    cr_assert_eq(config_check(&cfg), 0, "config_check: %s", err_msg());
}

Test(config_check, min_members_above_members_is_refused)
{
    config_t cfg;

    config_defaults(&cfg);
    strcpy(cfg.data_path, "ecg.csv");
    cfg.members = 3;
    cfg.min_members = 4;
    cr_assert_eq(config_check(&cfg), -1);
    assert_msg_has("ensemble.min_members");
    assert_msg_has("partition.members");
}

Test(config_check, min_members_equal_to_members_passes)
{
    config_t cfg;

    config_defaults(&cfg);
    strcpy(cfg.data_path, "ecg.csv");
    cfg.members = 3;
    cfg.min_members = 3;
    cr_assert_eq(config_check(&cfg), 0, "config_check: %s", err_msg());
}

Test(config_check, val_fpr_threshold_without_validation_normals_is_refused)
{
    config_t cfg;

    config_defaults(&cfg);
    strcpy(cfg.data_path, "ecg.csv");
    strcpy(cfg.threshold, "val_fpr");
    cr_assert_eq(config_check(&cfg), -1);
    assert_msg_has("val_normal");
}

/* ---- config_set -------------------------------------------------------- */

Test(config_set, assignment_changes_the_value)
{
    config_t cfg;

    config_defaults(&cfg);
    cr_assert_eq(config_set(&cfg, "train.epochs=20"), 0, "%s", err_msg());
    cr_assert_eq(cfg.epochs, 20);
}

Test(config_set, assignment_of_a_list_changes_the_encoder)
{
    config_t cfg;

    config_defaults(&cfg);
    cr_assert_eq(config_set(&cfg, "model.encoder=8,4"), 0, "%s",
                 err_msg());
    cr_assert_eq(cfg.n_encoder, 2);
    cr_assert_eq(cfg.encoder[0], 8);
    cr_assert_eq(cfg.encoder[1], 4);
}

Test(config_set, path_with_dots_in_the_value_is_kept_whole)
{
    config_t cfg;

    config_defaults(&cfg);
    cr_assert_eq(config_set(&cfg, "data.path=./a.b/ecg.csv"), 0, "%s",
                 err_msg());
    cr_assert_str_eq(cfg.data_path, "./a.b/ecg.csv");
}

Test(config_set, unknown_key_error_names_it)
{
    config_t cfg;

    config_defaults(&cfg);
    cr_assert_eq(config_set(&cfg, "train.nope=1"), -1);
    assert_msg_has("train.nope");
}

Test(config_set, assignment_without_a_section_is_refused)
{
    config_t cfg;

    config_defaults(&cfg);
    cr_assert_eq(config_set(&cfg, "nodot"), -1);
    assert_msg_has("nodot");
    assert_msg_has("section.key=value");
}

Test(config_set, bad_value_error_names_the_assignment)
{
    config_t cfg;

    config_defaults(&cfg);
    cr_assert_eq(config_set(&cfg, "train.epochs=x"), -1);
    assert_msg_has("train.epochs=x");
    assert_msg_has("not an integer");
}

Test(config_set, bad_value_leaves_the_old_value)
{
    config_t cfg;

    config_defaults(&cfg);
    config_set(&cfg, "train.epochs=x");
    cr_assert_eq(cfg.epochs, 100);
}

/* ---- config_format ----------------------------------------------------- */

TestSuite(config_format, .fini = ini_remove);

/* A configuration away from the defaults in keys of every type. */
static void config_changed(config_t *cfg)
{
    static const char *const sets[] = {
        "data.path=/data/a.csv,/data/b.csv", "data.label_column=0",
        "data.normal_label=0.5",             "partition.members=5",
        "partition.scheme=dirichlet",        "partition.test_normal=123",
        "model.encoder=64,20,7",             "train.lr=0.003",
        "train.eps=1e-07",                   "ensemble.rule=trimmed_mean",
        "slurm.extra_args=--exclusive",
    };

    config_defaults(cfg);
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        cr_assert_eq(config_set(cfg, sets[i]), 0, "%s", err_msg());
}

Test(config_format, printed_config_loads_back_to_the_same_text)
{
    config_t a, b;
    char *first, *second;

    config_changed(&a);
    first = config_format(&a, 0);
    cr_assert_eq(load_text(&b, first), 0, "config_load: %s", err_msg());
    second = config_format(&b, 0);
    cr_assert_str_eq(second, first);
    free(first);
    free(second);
}

Test(config_format, printed_config_with_docs_loads_to_the_same_values)
{
    config_t a, b;
    char *docs, *want, *got;

    config_changed(&a);
    docs = config_format(&a, 1);
    cr_assert_eq(load_text(&b, docs), 0, "config_load: %s", err_msg());
    want = config_format(&a, 0);
    got = config_format(&b, 0);
    cr_assert_str_eq(got, want);
    free(docs);
    free(want);
    free(got);
}

Test(config_format, docs_are_comments_above_each_key)
{
    config_t cfg;
    char *text;

    config_defaults(&cfg);
    text = config_format(&cfg, 1);
    cr_assert_not_null(strstr(text, "; passes over the shard; default: "
                                    "100\nepochs = 100\n"),
                       "%s", text);
    free(text);
}

Test(config_format, every_section_header_appears_once)
{
    static const char *const sections[] = {
        "[data]",    "[partition]", "[model]", "[train]",
        "[ensemble]", "[evaluate]", "[slurm]",
    };
    config_t cfg;
    char *text;

    config_defaults(&cfg);
    text = config_format(&cfg, 0);
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        const char *at = strstr(text, sections[i]);
        cr_assert_not_null(at, "%s missing", sections[i]);
        cr_assert_null(strstr(at + 1, sections[i]), "%s twice",
                       sections[i]);
    }
    free(text);
}
