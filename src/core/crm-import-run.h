/* crm-import-run.h: one import as a unit: its counts, per-row problems, error report and undo */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "crm-record.h"
#include "crm-store.h"

G_BEGIN_DECLS

/* What became of the rows of a file. Every data row is counted in
 * exactly one of created, updated, skipped (blank, or nothing new) and
 * errors (not imported; see the problems). */
typedef struct
{
  guint64 created;
  guint64 updated;
  guint64 skipped;
  guint64 errors;
} CrmImportSummary;

/* One problem of one row: the spreadsheet row number, the column (its
 * header, or a vCard property), the value as it was in the file, and
 * what is wrong with it. */
typedef struct
{
  guint64 row;
  char *column;
  char *value;
  char *message;
} CrmImportProblem;

typedef void (*CrmImportProgressFunc) (guint64  rows_done,
                                       guint64  bytes_done,
                                       guint64  bytes_total,
                                       gpointer user_data);

#define CRM_TYPE_IMPORT_RUN (crm_import_run_get_type ())
G_DECLARE_FINAL_TYPE (CrmImportRun, crm_import_run, CRM, IMPORT_RUN, GObject)

/* At most this many problems are kept in memory (all of them go to the
 * error report), so a broken million-row file cannot exhaust memory. */
#define CRM_IMPORT_RUN_MAX_PROBLEMS 1000

/* @kind: "contacts" or "purchases". A dry run records nothing. */
CrmImportRun       *crm_import_run_new             (CrmStore          *store,
                                                    const char        *kind,
                                                    gboolean           dry_run);
void                crm_import_run_set_source      (CrmImportRun      *self,
                                                    const char        *source_file,
                                                    const char        *format,
                                                    const char        *encoding);
/* Writes every problem, as it happens, to a CSV at @path (UTF-8 with a
 * BOM, so Excel opens it): row, column, value, problem. */
gboolean            crm_import_run_set_errors_path (CrmImportRun      *self,
                                                    const char        *path,
                                                    GError           **error);

/* Records the run (status running) in its own transaction. */
gboolean            crm_import_run_begin           (CrmImportRun      *self,
                                                    GError           **error);
/* Inside the chunk's transaction: what the run wrote, for undo. Call
 * log_update before crm_store_update() (it reads the changed columns),
 * with the record as it was loaded (crm_record_to_json()). */
gboolean            crm_import_run_log_insert      (CrmImportRun      *self,
                                                    const char        *table,
                                                    const char        *row_id,
                                                    GError           **error);
gboolean            crm_import_run_log_update      (CrmImportRun      *self,
                                                    CrmRecord         *record,
                                                    JsonNode          *before,
                                                    GError           **error);
void                crm_import_run_add_problem     (CrmImportRun      *self,
                                                    guint64            row,
                                                    const char        *column,
                                                    const char        *value,
                                                    const char        *message);
/* Inside the chunk's transaction, before it commits: the counts so far. */
gboolean            crm_import_run_save_progress   (CrmImportRun      *self,
                                                    GError           **error);
/* @status: "done", "failed" or "cancelled". Also reports a failure to
 * write the error report. */
gboolean            crm_import_run_finish          (CrmImportRun      *self,
                                                    const char        *status,
                                                    GError           **error);

/* NULL for a dry run. */
const char         *crm_import_run_get_id          (CrmImportRun      *self);
CrmImportSummary   *crm_import_run_get_summary     (CrmImportRun      *self);
/* The first CRM_IMPORT_RUN_MAX_PROBLEMS problems (CrmImportProblem *). */
GPtrArray          *crm_import_run_get_problems    (CrmImportRun      *self);
guint64             crm_import_run_get_n_problems  (CrmImportRun      *self);

/* Reverts everything run @run_id wrote, in one transaction: rows it
 * created are deleted (tombstones, so the deletion syncs), fields it
 * changed get their old values back. */
gboolean            crm_import_run_undo            (CrmStore          *store,
                                                    const char        *run_id,
                                                    guint64           *out_reverted,
                                                    GError           **error);

/* For merge and undo: the values of @record's changed columns in
 * @before (a crm_record_to_json() object), and putting such values back. */
JsonNode           *crm_record_snapshot_changed    (CrmRecord         *record,
                                                    JsonNode          *before);
void                crm_record_restore_snapshot    (CrmRecord         *record,
                                                    JsonObject        *snapshot);

void                crm_import_problem_free        (CrmImportProblem  *problem);

G_END_DECLS
