/* crm-cli-import.c: crmctl import contacts|purchases FILE, import undo RUN, import list */

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "crm-cli-commands.h"
#include "crm-contact-importer.h"
#include "crm-import-error.h"
#include "crm-import-run.h"
#include "crm-purchase-importer.h"
#include "crm-store-private.h"

/* More problems than this go only to --errors FILE. */
#define MAX_PRINTED_PROBLEMS 50

static gboolean progress_shown;

typedef struct
{
  const char *path;
  const char *encoding;
  const char *mapping;
  const char *update_by;
  const char *duplicates;
  const char *date_order;
  const char *errors;
  gboolean dry_run;
  gboolean create_missing;
} ImportOptions;

static void
progress (guint64  rows,
          guint64  bytes,
          guint64  total,
          gpointer user_data)
{
  /* A counter rewritten in place belongs on a terminal, not in a log. */
  if (!isatty (STDERR_FILENO))
    return;
  progress_shown = TRUE;
  fputc ('\r', stderr);
  if (total > 0)
    fprintf (stderr, _("%" PRIu64 " rows (%d%%)…"), rows, (int) (bytes * 100 / total));
  else
    fprintf (stderr, _("%" PRIu64 " rows…"), rows);
}

static void
print_report (CrmCli       *cli,
              CrmImportRun *run,
              gboolean      dry_run)
{
  GPtrArray *problems = crm_import_run_get_problems (run);
  CrmImportSummary *s = crm_import_run_get_summary (run);
  guint64 n = crm_import_run_get_n_problems (run);

  if (progress_shown)
    fputc ('\n', stderr);
  progress_shown = FALSE;
  for (guint i = 0; i < MIN (problems->len, MAX_PRINTED_PROBLEMS); i++)
    {
      CrmImportProblem *p = g_ptr_array_index (problems, i);

      if (p->column[0] != '\0')
        fprintf (stderr, _("row %" PRIu64 ", %s “%s”: %s\n"), p->row, p->column, p->value, p->message);
      else
        fprintf (stderr, _("row %" PRIu64 ": %s\n"), p->row, p->message);
    }
  if (n > MAX_PRINTED_PROBLEMS)
    fprintf (stderr, _("… and %" PRIu64 " more problems (write them all with --errors FILE)\n"),
             n - MAX_PRINTED_PROBLEMS);
  if (dry_run)
    fprintf (stderr, "%s\n", _("Dry run: nothing was written."));
  else if (crm_import_run_get_id (run) != NULL && !cli->quiet)
    fprintf (stderr, _("Import run %s (undo it with: crmctl import undo %s)\n"),
             crm_import_run_get_id (run), crm_import_run_get_id (run));
  /* Not translated: scripts read this line. */
  printf ("created %" PRIu64 ", updated %" PRIu64 ", skipped %" PRIu64 ", errors %" PRIu64 "\n",
          s->created, s->updated, s->skipped, s->errors);
}

static int
parse_options (int            argc,
               char         **argv,
               ImportOptions *o,
               gboolean       purchases)
{
  for (int i = 2; i < argc; i++)
    {
      const char *value = NULL;

      if (g_str_equal (argv[i], "--dry-run"))
        o->dry_run = TRUE;
      else if (purchases && g_str_equal (argv[i], "--create-missing"))
        o->create_missing = TRUE;
      else if (crm_cli_take_option (argc, argv, &i, "--encoding", &value))
        o->encoding = value;
      else if (crm_cli_take_option (argc, argv, &i, "--mapping", &value))
        o->mapping = value;
      else if (crm_cli_take_option (argc, argv, &i, "--errors", &value))
        o->errors = value;
      else if (!purchases && crm_cli_take_option (argc, argv, &i, "--update-by", &value))
        o->update_by = value;
      else if (!purchases && crm_cli_take_option (argc, argv, &i, "--duplicates", &value))
        o->duplicates = value;
      else if (crm_cli_take_option (argc, argv, &i, "--date-order", &value))
        o->date_order = value;
      else if (argv[i][0] == '-')
        return crm_cli_usage_error (_("unknown option “%s”"), argv[i]);
      else if (o->path == NULL)
        o->path = argv[i];
      else
        return crm_cli_usage_error (_("only one file can be imported at a time"));

      if (value == NULL && i < argc && g_str_has_prefix (argv[i], "--") &&
          !g_str_equal (argv[i], "--dry-run") && !g_str_equal (argv[i], "--create-missing"))
        return crm_cli_usage_error (_("option “%s” needs a value"), argv[i]);
    }
  if (o->path == NULL)
    return crm_cli_usage_error (_("no file given to import"));
  return CRM_CLI_EXIT_OK;
}

static int
import_contacts (CrmCli  *cli,
                 int      argc,
                 char   **argv)
{
  ImportOptions o = { 0 };
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmContactImporter) importer = NULL;
  g_autoptr(CrmImportMapping) mapping = NULL;
  g_autoptr(GError) error = NULL;
  CrmImportKey key = CRM_IMPORT_KEY_NONE;
  CrmImportDuplicates duplicates = CRM_IMPORT_DUPLICATES_MERGE;
  CrmDateOrder order = CRM_DATE_ORDER_DAY_FIRST;
  int rc;
  gboolean ok;

  if ((rc = parse_options (argc, argv, &o, FALSE)) != CRM_CLI_EXIT_OK)
    return rc;
  if (o.update_by != NULL && !crm_import_key_from_string (o.update_by, &key))
    return crm_cli_usage_error (_("--update-by takes email, phone or external_id, not “%s”"), o.update_by);
  if (o.duplicates != NULL && !crm_import_duplicates_from_string (o.duplicates, &duplicates))
    return crm_cli_usage_error (_("--duplicates takes merge, skip or create, not “%s”"), o.duplicates);
  if (o.date_order != NULL && !crm_date_order_from_string (o.date_order, &order))
    return crm_cli_usage_error (_("--date-order takes dmy or mdy, not “%s”"), o.date_order);
  if (o.mapping != NULL && (mapping = crm_import_mapping_new_from_file (o.mapping, &error)) == NULL)
    return crm_cli_fail (g_steal_pointer (&error));

  store = crm_cli_open_store (cli, CRM_STORE_OPEN_FLAGS_NONE, &error);
  if (store == NULL)
    return crm_cli_fail (g_steal_pointer (&error));

  importer = crm_contact_importer_new (store);
  crm_contact_importer_set_dry_run (importer, o.dry_run);
  crm_contact_importer_set_update_by (importer, key);
  crm_contact_importer_set_duplicates (importer, duplicates);
  crm_contact_importer_set_encoding (importer, o.encoding);
  crm_contact_importer_set_errors_path (importer, o.errors);
  if (mapping != NULL)
    crm_contact_importer_set_mapping (importer, mapping);
  if (o.date_order != NULL)
    crm_contact_importer_set_date_order (importer, order);

  ok = crm_contact_importer_run (importer, o.path, NULL, cli->quiet ? NULL : progress, NULL, &error);
  if (crm_contact_importer_get_run (importer) != NULL)
    print_report (cli, crm_contact_importer_get_run (importer), o.dry_run);
  if (!ok)
    return crm_cli_fail (g_steal_pointer (&error));
  return CRM_CLI_EXIT_OK;
}

static int
import_purchases (CrmCli  *cli,
                  int      argc,
                  char   **argv)
{
  ImportOptions o = { 0 };
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmPurchaseImporter) importer = NULL;
  g_autoptr(CrmImportMapping) mapping = NULL;
  g_autoptr(GError) error = NULL;
  CrmDateOrder order = CRM_DATE_ORDER_DAY_FIRST;
  int rc;
  gboolean ok;

  if ((rc = parse_options (argc, argv, &o, TRUE)) != CRM_CLI_EXIT_OK)
    return rc;
  if (o.date_order != NULL && !crm_date_order_from_string (o.date_order, &order))
    return crm_cli_usage_error (_("--date-order takes dmy or mdy, not “%s”"), o.date_order);
  if (o.mapping != NULL)
    mapping = crm_import_mapping_new_from_file (o.mapping, &error);
  else
    mapping = crm_import_mapping_new (CRM_IMPORT_TARGET_PURCHASES);
  if (mapping == NULL)
    return crm_cli_fail (g_steal_pointer (&error));
  if (o.date_order != NULL)
    crm_import_mapping_set_date_order (mapping, order);

  store = crm_cli_open_store (cli, CRM_STORE_OPEN_FLAGS_NONE, &error);
  if (store == NULL)
    return crm_cli_fail (g_steal_pointer (&error));

  importer = crm_purchase_importer_new (store);
  crm_purchase_importer_set_dry_run (importer, o.dry_run);
  crm_purchase_importer_set_create_missing (importer, o.create_missing);
  crm_purchase_importer_set_encoding (importer, o.encoding);
  crm_purchase_importer_set_errors_path (importer, o.errors);
  crm_purchase_importer_set_mapping (importer, mapping);

  ok = crm_purchase_importer_run (importer, o.path, NULL, cli->quiet ? NULL : progress, NULL, &error);
  if (crm_purchase_importer_get_run (importer) != NULL)
    print_report (cli, crm_purchase_importer_get_run (importer), o.dry_run);
  if (!ok)
    return crm_cli_fail (g_steal_pointer (&error));
  return CRM_CLI_EXIT_OK;
}

static int
import_undo (CrmCli  *cli,
             int      argc,
             char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  guint64 reverted = 0;

  if (argc != 3)
    return crm_cli_usage_error (_("import undo takes the id of an import run (see “crmctl import list”)"));
  store = crm_cli_open_store (cli, CRM_STORE_OPEN_FLAGS_NONE, &error);
  if (store == NULL || !crm_import_run_undo (store, argv[2], &reverted, &error))
    return crm_cli_fail (g_steal_pointer (&error));
  printf (_("Import run %s undone: %" PRIu64 " changes reverted.\n"), argv[2], reverted);
  return CRM_CLI_EXIT_OK;
}

static int
import_list (CrmCli  *cli,
             int      argc,
             char   **argv)
{
  static const char sql[] =
    "SELECT id, kind, started_at, status, rows_inserted, rows_updated, rows_skipped, rows_failed,"
    " coalesce (source_file, '') FROM import_runs ORDER BY started_at DESC, id DESC";
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmCachedStmt) stmt = NULL;

  store = crm_cli_open_store (cli, CRM_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL || (stmt = crm_store_prepare (store, sql, &error)) == NULL)
    return crm_cli_fail (g_steal_pointer (&error));
  while (sqlite3_step (stmt) == SQLITE_ROW)
    printf ("%s  %-9s  %s  %-9s  created %" PRId64 ", updated %" PRId64 ", skipped %" PRId64 ", errors %" PRId64 "  %s\n",
            (const char *) sqlite3_column_text (stmt, 0), (const char *) sqlite3_column_text (stmt, 1),
            (const char *) sqlite3_column_text (stmt, 2), (const char *) sqlite3_column_text (stmt, 3),
            (int64_t) sqlite3_column_int64 (stmt, 4), (int64_t) sqlite3_column_int64 (stmt, 5),
            (int64_t) sqlite3_column_int64 (stmt, 6), (int64_t) sqlite3_column_int64 (stmt, 7),
            (const char *) sqlite3_column_text (stmt, 8));
  return CRM_CLI_EXIT_OK;
}

int
crm_cli_import (CrmCli  *cli,
                int      argc,
                char   **argv)
{
  if (argc < 2)
    return crm_cli_usage_error (_("import needs what to import: contacts, purchases, undo or list"));
  if (g_str_equal (argv[1], "contacts"))
    return import_contacts (cli, argc, argv);
  if (g_str_equal (argv[1], "purchases"))
    return import_purchases (cli, argc, argv);
  if (g_str_equal (argv[1], "undo"))
    return import_undo (cli, argc, argv);
  if (g_str_equal (argv[1], "list"))
    return import_list (cli, argc, argv);
  return crm_cli_usage_error (_("import needs what to import: contacts, purchases, undo or list"));
}
