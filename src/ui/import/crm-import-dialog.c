/* crm-import-dialog.c: the import assistant: choose a file, check its columns and rows, import with progress, undo */

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "crm-contact-importer.h"
#include "crm-csv-reader.h"
#include "crm-import-dialog.h"
#include "crm-import-mapping.h"
#include "crm-vcard.h"
#include "crm-window.h"

/* Rows shown under "First Rows", and problems listed after a check or an
 * import (all of them are in the error report of crmctl --errors). */
#define PREVIEW_ROWS 5
#define SHOWN_PROBLEMS 50

static const char * const encodings[] = { "auto", "UTF-8", "GB18030", "UTF-16", "WINDOWS-1252" };
static const char * const duplicate_modes[] = { "merge", "skip", "create" };

/* One check or import, run in a thread on its own connection. The
 * mapping belongs to the job while it runs (the drop-downs are
 * insensitive meanwhile). */
typedef struct
{
  char *db_path;
  char *file_path;
  char *encoding;
  CrmImportMapping *mapping;
  CrmImportDuplicates duplicates;
  gboolean dry_run;

  /* Written by the thread's progress callback, read by a timeout. */
  GMutex lock;
  guint64 rows_done;
  guint64 bytes_done;
  guint64 bytes_total;

  /* Results, read after the task returned. */
  gboolean ok;
  GError *error;
  CrmImportSummary summary;
  GPtrArray *problems;
  guint64 n_problems;
  char *run_id;
} ImportJob;

struct _CrmImportDialog
{
  AdwWindow parent_instance;

  CrmContext *context;
  char *path;
  gboolean is_vcard;
  char *encoding;              /* as chosen: NULL detects it */
  char *detected_encoding;
  CrmImportMapping *mapping;
  GPtrArray *sample;           /* GStrv per preview row */
  GPtrArray *column_rows;      /* AdwComboRow per column */
  gboolean updating;

  ImportJob *job;              /* while a task runs */
  GCancellable *cancellable;
  guint progress_id;
  gboolean close_when_done;
  CrmImportSummary summary;
  char *run_id;

  /* Template widgets */
  AdwToastOverlay *toast_overlay;
  AdwWindowTitle *window_title;
  GtkWidget *import_button;
  GtkWidget *dry_run_button;
  GtkStack *stack;
  GtkWidget *check_group;
  GtkLabel *check_label;
  GtkListBox *check_problems;
  AdwActionRow *file_row;
  AdwComboRow *encoding_row;
  AdwActionRow *delimiter_row;
  AdwComboRow *duplicates_row;
  AdwPreferencesGroup *columns_group;
  GtkWidget *rows_group;
  GtkGrid *rows_grid;
  AdwStatusPage *progress_page;
  GtkProgressBar *progress_bar;
  GtkWidget *cancel_button;
  AdwStatusPage *done_page;
  GtkListBox *done_problems;
  GtkWidget *undo_button;
};

G_DEFINE_FINAL_TYPE (CrmImportDialog, crm_import_dialog, ADW_TYPE_WINDOW)

static void
import_job_free (ImportJob *job)
{
  g_free (job->db_path);
  g_free (job->file_path);
  g_free (job->encoding);
  g_clear_object (&job->mapping);
  g_mutex_clear (&job->lock);
  g_clear_error (&job->error);
  g_clear_pointer (&job->problems, g_ptr_array_unref);
  g_free (job->run_id);
  g_free (job);
}

static void
show_error_toast (CrmImportDialog *self,
                  const char      *message)
{
  AdwToast *toast = adw_toast_new (message);

  adw_toast_set_timeout (toast, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
update_actions (CrmImportDialog *self)
{
  gboolean busy = self->job != NULL;
  gboolean loaded = self->path != NULL && (self->mapping != NULL || self->is_vcard);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.choose", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.open", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.set-encoding", !busy && loaded && !self->is_vcard);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.set-field", !busy && loaded && !self->is_vcard);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.set-duplicates", !busy && loaded);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.dry-run", !busy && loaded);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.start", !busy && loaded);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.cancel", busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.undo", !busy && self->run_id != NULL);

  gtk_widget_set_visible (self->import_button, loaded && !busy &&
                          g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "preview") == 0);
  gtk_widget_set_visible (self->dry_run_button, gtk_widget_get_visible (self->import_button));
}

static void
set_page (CrmImportDialog *self,
          const char      *name)
{
  gtk_stack_set_visible_child_name (self->stack, name);
  update_actions (self);
}

/* --- Preview --------------------------------------------------------------- */

static gboolean
sniff_vcard (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = NULL;
  char head[64];
  gsize n = 0;

  if (g_str_has_suffix (path, ".vcf") || g_str_has_suffix (path, ".VCF") || g_str_has_suffix (path, ".vcard"))
    return TRUE;
  in = g_file_read (file, NULL, NULL);
  if (in == NULL || !g_input_stream_read_all (G_INPUT_STREAM (in), head, sizeof head, &n, NULL, NULL))
    return FALSE;
  return crm_vcard_sniff (head, n);
}

static void
clear_box (GtkWidget *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (box)) != NULL)
    {
      if (GTK_IS_LIST_BOX (box))
        gtk_list_box_remove (GTK_LIST_BOX (box), child);
      else
        gtk_grid_remove (GTK_GRID (box), child);
    }
}

static char *
column_examples (CrmImportDialog *self,
                 guint            column)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint shown = 0;

  for (guint r = 0; r < self->sample->len && shown < 3; r++)
    {
      GStrv row = g_ptr_array_index (self->sample, r);

      if (column >= g_strv_length (row) || row[column][0] == '\0')
        continue;
      if (shown++ > 0)
        g_string_append (text, " · ");
      g_string_append (text, row[column]);
    }
  if (shown == 0)
    /* Translators: under a column of an imported file that has no values in its first rows. */
    return g_strdup (_("(empty in the first rows)"));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
on_column_field_selected (AdwComboRow     *row,
                          GParamSpec      *pspec,
                          CrmImportDialog *self)
{
  const char * const *fields = crm_import_mapping_list_fields (CRM_IMPORT_TARGET_CONTACTS);
  guint column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "column"));
  guint selected = adw_combo_row_get_selected (row);
  const char *field = selected == 0 || selected == GTK_INVALID_LIST_POSITION ? NULL : fields[selected - 1];
  g_autoptr(GError) error = NULL;

  if (self->updating || self->mapping == NULL)
    return;
  if (!crm_import_mapping_set_field (self->mapping, column, field, &error))
    {
      const char *current = crm_import_mapping_get_field (self->mapping, column);
      guint index = 0;

      show_error_toast (self, error->message);
      for (guint i = 0; current != NULL && fields[i] != NULL; i++)
        if (g_str_equal (fields[i], current))
          index = i + 1;
      self->updating = TRUE;
      adw_combo_row_set_selected (row, index);
      self->updating = FALSE;
    }
  /* A check describes the mapping it ran with. */
  gtk_widget_set_visible (self->check_group, FALSE);
}

static GListModel *
field_model (void)
{
  const char * const *fields = crm_import_mapping_list_fields (CRM_IMPORT_TARGET_CONTACTS);
  GtkStringList *list = gtk_string_list_new (NULL);

  /* Translators: the choice for a column of an imported file that is not imported. */
  gtk_string_list_append (list, _("Do not import"));
  for (guint i = 0; fields[i] != NULL; i++)
    gtk_string_list_append (list, crm_import_field_get_label (fields[i]));
  return G_LIST_MODEL (list);
}

static void
build_columns (CrmImportDialog *self)
{
  const char * const *fields = crm_import_mapping_list_fields (CRM_IMPORT_TARGET_CONTACTS);
  g_autoptr(GListModel) model = field_model ();
  guint n = self->mapping != NULL ? crm_import_mapping_get_n_columns (self->mapping) : 0;

  for (guint i = 0; i < self->column_rows->len; i++)
    adw_preferences_group_remove (self->columns_group, g_ptr_array_index (self->column_rows, i));
  g_ptr_array_set_size (self->column_rows, 0);
  clear_box (GTK_WIDGET (self->rows_grid));

  self->updating = TRUE;
  for (guint c = 0; c < n; c++)
    {
      const char *header = crm_import_mapping_get_header (self->mapping, c);
      const char *field = crm_import_mapping_get_field (self->mapping, c);
      g_autofree char *title = NULL;
      g_autofree char *examples = column_examples (self, c);
      GtkWidget *row = adw_combo_row_new ();
      GtkWidget *label;
      guint selected = 0;

      title = header != NULL && *header != '\0' ? g_markup_escape_text (header, -1)
                                                : g_strdup_printf (_("Column %u"), c + 1);
      for (guint i = 0; field != NULL && fields[i] != NULL; i++)
        if (g_str_equal (fields[i], field))
          selected = i + 1;
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), examples);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 1);
      adw_combo_row_set_model (ADW_COMBO_ROW (row), model);
      adw_combo_row_set_selected (ADW_COMBO_ROW (row), selected);
      g_object_set_data (G_OBJECT (row), "column", GUINT_TO_POINTER (c));
      g_signal_connect (row, "notify::selected", G_CALLBACK (on_column_field_selected), self);
      adw_preferences_group_add (self->columns_group, row);
      g_ptr_array_add (self->column_rows, row);

      label = gtk_label_new (header);
      gtk_widget_add_css_class (label, "heading");
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 24);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_grid_attach (self->rows_grid, label, (int) c, 0, 1, 1);
      for (guint r = 0; r < self->sample->len; r++)
        {
          GStrv values = g_ptr_array_index (self->sample, r);

          label = gtk_label_new (c < g_strv_length (values) ? values[c] : "");
          gtk_label_set_xalign (GTK_LABEL (label), 0);
          gtk_label_set_max_width_chars (GTK_LABEL (label), 24);
          gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
          gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
          gtk_grid_attach (self->rows_grid, label, (int) c, (int) r + 1, 1, 1);
        }
    }
  self->updating = FALSE;
}

static const char *
delimiter_name (char delimiter)
{
  switch (delimiter)
    {
    case ';':
      return _("Semicolon (;)");
    case '\t':
      return _("Tab");
    case ',':
    default:
      return _("Comma (,)");
    }
}

/* Reads the header and the first rows: at most the 64 KiB the reader
 * looks at anyway, so it is done right away on the main thread. */
static gboolean
load_preview (CrmImportDialog  *self,
              GError          **error)
{
  g_autoptr(CrmCsvReader) reader = NULL;
  g_autoptr(CrmImportMapping) mapping = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *encoding_label = NULL;
  CrmCsvReadResult result;

  g_ptr_array_set_size (self->sample, 0);
  g_clear_object (&self->mapping);
  g_clear_pointer (&self->detected_encoding, g_free);

  if (self->is_vcard)
    {
      build_columns (self);
      return TRUE;
    }

  reader = crm_csv_reader_new_for_path (self->path, self->encoding, NULL, error);
  if (reader == NULL)
    return FALSE;
  result = crm_csv_reader_read_row (reader, NULL, &local_error);
  if (result == CRM_CSV_READ_END)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s is empty: there is no header row to tell what the columns are."), self->path);
      return FALSE;
    }
  if (result != CRM_CSV_READ_ROW)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), _("The header row cannot be read: "));
      return FALSE;
    }
  mapping = crm_import_mapping_new (CRM_IMPORT_TARGET_CONTACTS);
  if (!crm_import_mapping_resolve (mapping, crm_csv_reader_get_fields (reader),
                                   crm_csv_reader_get_n_fields (reader), error))
    return FALSE;

  while (self->sample->len < PREVIEW_ROWS)
    {
      g_clear_error (&local_error);
      result = crm_csv_reader_read_row (reader, NULL, &local_error);
      if (result == CRM_CSV_READ_BAD_ROW)
        continue;
      if (result != CRM_CSV_READ_ROW)
        break;
      g_ptr_array_add (self->sample, g_strdupv ((GStrv) crm_csv_reader_get_fields (reader)));
    }

  self->mapping = g_steal_pointer (&mapping);
  self->detected_encoding = g_strdup (crm_csv_reader_get_encoding (reader));
  if (self->encoding == NULL)
    /* Translators: the encoding of an imported file, e.g. "GB18030 (detected)". */
    encoding_label = g_strdup_printf (_("%s (detected)"), self->detected_encoding);
  else
    encoding_label = g_strdup (self->detected_encoding);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->encoding_row), encoding_label);
  adw_action_row_set_subtitle (self->delimiter_row, delimiter_name (crm_csv_reader_get_delimiter (reader)));
  build_columns (self);
  return TRUE;
}

static void
open_path (CrmImportDialog *self,
           const char      *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *basename = g_path_get_basename (path);
  g_autofree char *display = g_filename_display_name (path);

  g_free (self->path);
  self->path = g_strdup (path);
  self->is_vcard = sniff_vcard (path);
  g_clear_pointer (&self->run_id, g_free);
  memset (&self->summary, 0, sizeof self->summary);

  adw_window_title_set_subtitle (self->window_title, basename);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->file_row), display);
  gtk_widget_set_visible (GTK_WIDGET (self->encoding_row), !self->is_vcard);
  gtk_widget_set_visible (GTK_WIDGET (self->delimiter_row), !self->is_vcard);
  gtk_widget_set_visible (GTK_WIDGET (self->columns_group), !self->is_vcard);
  gtk_widget_set_visible (self->rows_group, !self->is_vcard);
  gtk_widget_set_visible (self->check_group, FALSE);

  if (!load_preview (self, &error))
    show_error_toast (self, error->message);
  set_page (self, "preview");
}

static void
on_encoding_selected (CrmImportDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->encoding_row);
  g_autoptr(GError) error = NULL;

  if (self->updating || selected >= G_N_ELEMENTS (encodings))
    return;
  g_free (self->encoding);
  self->encoding = selected == 0 ? NULL : g_strdup (encodings[selected]);
  if (self->path == NULL || self->is_vcard)
    return;
  gtk_widget_set_visible (self->check_group, FALSE);
  if (!load_preview (self, &error))
    show_error_toast (self, error->message);
  update_actions (self);
}

/* --- Checking and importing ------------------------------------------------ */

static void
on_job_progress (guint64  rows_done,
                 guint64  bytes_done,
                 guint64  bytes_total,
                 gpointer user_data)
{
  ImportJob *job = user_data;

  g_mutex_lock (&job->lock);
  job->rows_done = rows_done;
  job->bytes_done = bytes_done;
  job->bytes_total = bytes_total;
  g_mutex_unlock (&job->lock);
}

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ImportJob *job = task_data;
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmContactImporter) importer = NULL;
  CrmImportRun *run;

  store = crm_store_open (job->db_path, &job->error);
  if (store == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  importer = crm_contact_importer_new (store);
  crm_contact_importer_set_dry_run (importer, job->dry_run);
  crm_contact_importer_set_duplicates (importer, job->duplicates);
  crm_contact_importer_set_encoding (importer, job->encoding);
  if (job->mapping != NULL)
    crm_contact_importer_set_mapping (importer, job->mapping);

  job->ok = crm_contact_importer_run (importer, job->file_path, cancellable,
                                      on_job_progress, job, &job->error);
  run = crm_contact_importer_get_run (importer);
  if (run != NULL)
    {
      job->summary = *crm_import_run_get_summary (run);
      job->problems = g_ptr_array_ref (crm_import_run_get_problems (run));
      job->n_problems = crm_import_run_get_n_problems (run);
      job->run_id = g_strdup (crm_import_run_get_id (run));
    }
  g_task_return_boolean (task, TRUE);
}

static gboolean
update_progress (gpointer user_data)
{
  CrmImportDialog *self = user_data;
  ImportJob *job = self->job;
  g_autofree char *text = NULL;
  guint64 rows, done, total;

  g_mutex_lock (&job->lock);
  rows = job->rows_done;
  done = job->bytes_done;
  total = job->bytes_total;
  g_mutex_unlock (&job->lock);

  if (total > 0)
    gtk_progress_bar_set_fraction (self->progress_bar, MIN (1.0, (double) done / (double) total));
  else
    gtk_progress_bar_pulse (self->progress_bar);
  text = g_strdup_printf (ngettext ("%" PRIu64 " row", "%" PRIu64 " rows", rows), rows);
  gtk_progress_bar_set_text (self->progress_bar, text);
  return G_SOURCE_CONTINUE;
}

static char *
summary_text (const CrmImportSummary *s,
              gboolean                dry_run)
{
  g_autofree char *created = g_strdup_printf (dry_run ? ngettext ("%" PRIu64 " new contact", "%" PRIu64 " new contacts", s->created)
                                                      : ngettext ("%" PRIu64 " contact created", "%" PRIu64 " contacts created", s->created),
                                              s->created);
  g_autofree char *updated = g_strdup_printf (ngettext ("%" PRIu64 " updated", "%" PRIu64 " updated", s->updated), s->updated);
  g_autofree char *skipped = g_strdup_printf (ngettext ("%" PRIu64 " skipped", "%" PRIu64 " skipped", s->skipped), s->skipped);
  g_autofree char *errors = g_strdup_printf (ngettext ("%" PRIu64 " row with problems (not imported)",
                                                       "%" PRIu64 " rows with problems (not imported)", s->errors),
                                             s->errors);

  /* Translators: the four parts of an import summary, e.g. "12 contacts created, 3 updated, 1 skipped, 2 rows with problems (not imported)". */
  return g_strdup_printf (_("%s, %s, %s, %s"), created, updated, skipped, errors);
}

static void
fill_problems (GtkListBox *list,
               GPtrArray  *problems,
               guint64     n_problems)
{
  clear_box (GTK_WIDGET (list));
  for (guint i = 0; problems != NULL && i < MIN (problems->len, SHOWN_PROBLEMS); i++)
    {
      CrmImportProblem *problem = g_ptr_array_index (problems, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *title = NULL;
      g_autofree char *message = g_markup_escape_text (problem->message, -1);

      if (problem->column != NULL && *problem->column != '\0')
        /* Translators: where a problem of an imported file is: row number and column header. */
        title = g_strdup_printf (_("Row %" PRIu64 ", %s"), problem->row, problem->column);
      else
        title = g_strdup_printf (_("Row %" PRIu64), problem->row);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), message);
      gtk_list_box_append (list, row);
    }
  if (n_problems > SHOWN_PROBLEMS)
    {
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *title = g_strdup_printf (ngettext ("and %" PRIu64 " more problem",
                                                          "and %" PRIu64 " more problems", n_problems - SHOWN_PROBLEMS),
                                                n_problems - SHOWN_PROBLEMS);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      gtk_list_box_append (list, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (list), n_problems > 0);
}

static void
add_undo_toast (CrmImportDialog *self,
                const char      *title)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  AdwToast *toast = adw_toast_new (title);

  /* The main window keeps the toast after this dialog is closed. */
  if (CRM_IS_WINDOW (parent) && self->run_id != NULL)
    {
      adw_toast_set_button_label (toast, _("_Undo"));
      adw_toast_set_action_name (toast, "win.undo-import");
      adw_toast_set_action_target_value (toast, g_variant_new_string (self->run_id));
      adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
      crm_window_add_toast (CRM_WINDOW (parent), toast);
    }
  else
    adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
on_job_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(CrmImportDialog) self = user_data;
  ImportJob *job = g_task_get_task_data (G_TASK (result));
  gboolean cancelled = g_error_matches (job->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_autofree char *summary = summary_text (&job->summary, job->dry_run);

  g_clear_handle_id (&self->progress_id, g_source_remove);
  g_clear_object (&self->cancellable);
  self->job = NULL;
  self->summary = job->summary;
  gtk_widget_set_sensitive (self->cancel_button, TRUE);

  if (job->dry_run)
    {
      g_autofree char *text = NULL;

      if (job->ok)
        /* Translators: %s is the summary of a check, e.g. "12 new contacts, 3 updated, …". */
        text = g_strdup_printf (_("Importing this file now would give: %s. Nothing was written."), summary);
      else if (cancelled)
        text = g_strdup (_("The check was cancelled. Nothing was written."));
      else
        text = g_strdup_printf (_("The check stopped: %s"), job->error->message);
      gtk_label_set_text (self->check_label, text);
      fill_problems (self->check_problems, job->problems, job->n_problems);
      gtk_widget_set_visible (self->check_group, TRUE);
      set_page (self, "preview");
    }
  else
    {
      g_autofree char *description = NULL;
      const char *title;

      g_free (self->run_id);
      self->run_id = job->summary.created + job->summary.updated > 0 ? g_strdup (job->run_id) : NULL;
      if (job->ok)
        {
          title = _("Import Finished");
          description = g_strdup_printf ("%s.", summary);
        }
      else if (cancelled)
        {
          title = _("Import Cancelled");
          /* Translators: %s is what was imported before Cancel, e.g. "2000 contacts created, 0 updated, …". */
          description = g_strdup_printf (_("The rows being written when you cancelled were not imported. Before that: %s. Undo removes them."), summary);
        }
      else
        {
          title = _("Import Failed");
          description = g_strdup_printf (_("%s Before that: %s."), job->error->message, summary);
        }
      adw_status_page_set_title (self->done_page, title);
      adw_status_page_set_description (self->done_page, description);
      adw_status_page_set_icon_name (self->done_page, job->ok ? "emblem-ok-symbolic" : "dialog-warning-symbolic");
      fill_problems (self->done_problems, job->problems, job->n_problems);
      gtk_widget_set_visible (self->undo_button, self->run_id != NULL);
      set_page (self, "done");

      crm_store_emit_changed (crm_context_get_store (self->context), NULL);
      if (self->run_id != NULL)
        add_undo_toast (self, job->ok ? _("Contacts imported") : title);
    }

  update_actions (self);
  if (self->close_when_done)
    gtk_window_destroy (GTK_WINDOW (self));
}

static void
start_job (CrmImportDialog *self,
           gboolean         dry_run)
{
  g_autoptr(GTask) task = NULL;
  ImportJob *job;
  guint duplicates = adw_combo_row_get_selected (self->duplicates_row);

  g_return_if_fail (self->job == NULL && self->path != NULL);

  job = g_new0 (ImportJob, 1);
  g_mutex_init (&job->lock);
  job->db_path = g_strdup (crm_store_get_path (crm_context_get_store (self->context)));
  job->file_path = g_strdup (self->path);
  job->encoding = g_strdup (self->encoding);
  job->mapping = self->is_vcard || self->mapping == NULL ? NULL : g_object_ref (self->mapping);
  job->duplicates = duplicates == 1 ? CRM_IMPORT_DUPLICATES_SKIP
                    : duplicates == 2 ? CRM_IMPORT_DUPLICATES_CREATE : CRM_IMPORT_DUPLICATES_MERGE;
  job->dry_run = dry_run;
  self->job = job;

  self->cancellable = g_cancellable_new ();
  task = g_task_new (NULL, self->cancellable, on_job_done, g_object_ref (self));
  g_task_set_source_tag (task, start_job);
  g_task_set_task_data (task, job, (GDestroyNotify) import_job_free);
  g_task_run_in_thread (task, import_thread);

  adw_status_page_set_title (self->progress_page, dry_run ? _("Checking…") : _("Importing…"));
  adw_status_page_set_description (self->progress_page,
                                   dry_run ? _("Every row is read and checked; nothing is written.")
                                           : _("Cancel keeps the rows already imported; Undo removes them afterwards."));
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_progress_bar_set_text (self->progress_bar, NULL);
  self->progress_id = g_timeout_add (100, update_progress, self);
  set_page (self, "progress");
}

/* --- Undo ------------------------------------------------------------------- */

typedef struct
{
  char *db_path;
  char *run_id;
  guint64 reverted;
} UndoJob;

static void
undo_job_free (UndoJob *job)
{
  g_free (job->db_path);
  g_free (job->run_id);
  g_free (job);
}

static void
undo_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  UndoJob *job = task_data;
  g_autoptr(CrmStore) store = NULL;
  GError *error = NULL;

  store = crm_store_open (job->db_path, &error);
  if (store == NULL || !crm_import_run_undo (store, job->run_id, &job->reverted, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
crm_import_undo_async (CrmStore            *store,
                       const char          *run_id,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  UndoJob *job;

  g_return_if_fail (CRM_IS_STORE (store));
  g_return_if_fail (run_id != NULL);

  job = g_new0 (UndoJob, 1);
  job->db_path = g_strdup (crm_store_get_path (store));
  job->run_id = g_strdup (run_id);
  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_import_undo_async);
  g_task_set_task_data (task, job, (GDestroyNotify) undo_job_free);
  g_task_run_in_thread (task, undo_thread);
}

gboolean
crm_import_undo_finish (GAsyncResult  *result,
                        guint64       *out_reverted,
                        GError       **error)
{
  UndoJob *job;

  g_return_val_if_fail (G_IS_TASK (result), FALSE);

  /* Listeners of the window's connection learn what the thread wrote. */
  crm_store_emit_changed (CRM_STORE (g_task_get_source_object (G_TASK (result))), NULL);
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  job = g_task_get_task_data (G_TASK (result));
  if (out_reverted != NULL)
    *out_reverted = job->reverted;
  return TRUE;
}

static void
on_undo_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CrmImportDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!crm_import_undo_finish (result, NULL, &error))
    {
      show_error_toast (self, error->message);
      return;
    }
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Import undone")));
  adw_status_page_set_title (self->done_page, _("Import Undone"));
  adw_status_page_set_description (self->done_page, _("Everything this import created or changed was put back."));
  gtk_widget_set_visible (self->undo_button, FALSE);
  g_clear_pointer (&self->run_id, g_free);
  update_actions (self);
}

/* --- Actions ---------------------------------------------------------------- */

static void
on_file_chosen (GtkNativeDialog *chooser,
                int              response,
                gpointer         user_data)
{
  CrmImportDialog *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        open_path (self, path);
      else
        show_error_toast (self, _("Only files on this computer can be imported. Copy the file here first."));
    }
  g_object_unref (chooser);
  g_object_unref (self);
}

static void
choose_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CrmImportDialog *self = CRM_IMPORT_DIALOG (widget);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) importable = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Choose a File to Import"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (importable, _("Spreadsheets (CSV) and vCards"));
  gtk_file_filter_add_suffix (importable, "csv");
  gtk_file_filter_add_suffix (importable, "txt");
  gtk_file_filter_add_suffix (importable, "tsv");
  gtk_file_filter_add_suffix (importable, "vcf");
  gtk_file_filter_add_mime_type (importable, "text/csv");
  gtk_file_filter_add_mime_type (importable, "text/vcard");
  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), importable);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_file_chosen), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  open_path (CRM_IMPORT_DIALOG (widget), g_variant_get_string (parameter, NULL));
}

static void
set_encoding_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CrmImportDialog *self = CRM_IMPORT_DIALOG (widget);
  const char *name = g_variant_get_string (parameter, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (encodings); i++)
    if (g_ascii_strcasecmp (encodings[i], name) == 0)
      {
        adw_combo_row_set_selected (self->encoding_row, i);
        return;
      }
  g_warning ("Unknown import encoding “%s”", name);
}

static void
set_field_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CrmImportDialog *self = CRM_IMPORT_DIALOG (widget);
  const char * const *fields = crm_import_mapping_list_fields (CRM_IMPORT_TARGET_CONTACTS);
  const char *field;
  guint column;
  guint index = 0;

  g_variant_get (parameter, "(u&s)", &column, &field);
  if (column >= self->column_rows->len)
    return;
  for (guint i = 0; *field != '\0' && fields[i] != NULL; i++)
    if (g_str_equal (fields[i], field))
      index = i + 1;
  adw_combo_row_set_selected (g_ptr_array_index (self->column_rows, column), index);
}

static void
set_duplicates_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  CrmImportDialog *self = CRM_IMPORT_DIALOG (widget);
  const char *mode = g_variant_get_string (parameter, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (duplicate_modes); i++)
    if (g_str_equal (duplicate_modes[i], mode))
      adw_combo_row_set_selected (self->duplicates_row, i);
}

static void
dry_run_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  start_job (CRM_IMPORT_DIALOG (widget), TRUE);
}

static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  start_job (CRM_IMPORT_DIALOG (widget), FALSE);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CrmImportDialog *self = CRM_IMPORT_DIALOG (widget);

  if (self->cancellable == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  gtk_widget_set_sensitive (self->cancel_button, FALSE);
  adw_status_page_set_description (self->progress_page, _("Cancelling: the rows being written are rolled back…"));
}

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CrmImportDialog *self = CRM_IMPORT_DIALOG (widget);

  if (self->run_id == NULL)
    return;
  gtk_widget_action_set_enabled (widget, "import.undo", FALSE);
  crm_import_undo_async (crm_context_get_store (self->context), self->run_id, NULL,
                         on_undo_done, g_object_ref (self));
}

/* --- Object ------------------------------------------------------------------ */

static gboolean
crm_import_dialog_close_request (GtkWindow *window)
{
  CrmImportDialog *self = CRM_IMPORT_DIALOG (window);

  /* The thread stops at the next row; the window goes when it has. */
  if (self->job != NULL)
    {
      self->close_when_done = TRUE;
      g_cancellable_cancel (self->cancellable);
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      return TRUE;
    }
  return GTK_WINDOW_CLASS (crm_import_dialog_parent_class)->close_request (window);
}

static void
crm_import_dialog_dispose (GObject *object)
{
  CrmImportDialog *self = CRM_IMPORT_DIALOG (object);

  g_clear_handle_id (&self->progress_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_IMPORT_DIALOG);

  G_OBJECT_CLASS (crm_import_dialog_parent_class)->dispose (object);
}

static void
crm_import_dialog_finalize (GObject *object)
{
  CrmImportDialog *self = CRM_IMPORT_DIALOG (object);

  g_clear_object (&self->context);
  g_clear_object (&self->mapping);
  g_clear_object (&self->cancellable);
  g_ptr_array_unref (self->sample);
  g_ptr_array_unref (self->column_rows);
  g_free (self->path);
  g_free (self->encoding);
  g_free (self->detected_encoding);
  g_free (self->run_id);

  G_OBJECT_CLASS (crm_import_dialog_parent_class)->finalize (object);
}

static void
crm_import_dialog_class_init (CrmImportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = crm_import_dialog_dispose;
  object_class->finalize = crm_import_dialog_finalize;
  window_class->close_request = crm_import_dialog_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Crm/ui/crm-import-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmImportDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CrmImportDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, CrmImportDialog, import_button);
  gtk_widget_class_bind_template_child (widget_class, CrmImportDialog, dry_run_button);
  gtk_widget_class_bind_template_child (widget_class, CrmImportDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, CrmImportDialog, check_group);
  gtk_widget_class_bind_template_child (widget_class, CrmImportDialog, check_label);
  gtk_widget_class_bind_template_child (widget_class, CrmImportDialog, check_problems);
  gtk_widget_class_bind_template_child (widget_class, CrmImportDialog, file_row);
  gtk_widget_class_bind_template_child (widget_class, CrmImportDialog, encoding_row);
  gtk_widget_class_bind_template_child (widget_class, CrmImportDialog, delimiter_row);
  gtk_widget_class_bind_template_child (widget_class, CrmImportDialog, duplicates_row);
  gtk_widget_class_bind_template_child (widget_class, CrmImportDialog, columns_group);
  gtk_widget_class_bind_template_child (widget_class, CrmImportDialog, rows_group);
  gtk_widget_class_bind_template_child (widget_class, CrmImportDialog, rows_grid);
  gtk_widget_class_bind_template_child (widget_class, CrmImportDialog, progress_page);
  gtk_widget_class_bind_template_child (widget_class, CrmImportDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, CrmImportDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, CrmImportDialog, done_page);
  gtk_widget_class_bind_template_child (widget_class, CrmImportDialog, done_problems);
  gtk_widget_class_bind_template_child (widget_class, CrmImportDialog, undo_button);
  gtk_widget_class_bind_template_callback (widget_class, on_encoding_selected);

  gtk_widget_class_install_action (widget_class, "import.choose", NULL, choose_action);
  gtk_widget_class_install_action (widget_class, "import.open", "s", open_action);
  gtk_widget_class_install_action (widget_class, "import.set-encoding", "s", set_encoding_action);
  gtk_widget_class_install_action (widget_class, "import.set-field", "(us)", set_field_action);
  gtk_widget_class_install_action (widget_class, "import.set-duplicates", "s", set_duplicates_action);
  gtk_widget_class_install_action (widget_class, "import.dry-run", NULL, dry_run_action);
  gtk_widget_class_install_action (widget_class, "import.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "import.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "import.undo", NULL, undo_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "import.choose", NULL);
}

static void
crm_import_dialog_init (CrmImportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->sample = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  self->column_rows = g_ptr_array_new ();
  update_actions (self);
}

CrmImportDialog *
crm_import_dialog_new (GtkWindow  *parent,
                       CrmContext *context)
{
  CrmImportDialog *self;

  g_return_val_if_fail (CRM_IS_CONTEXT (context), NULL);

  self = g_object_new (CRM_TYPE_IMPORT_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->context = g_object_ref (context);
  return self;
}

const char *
crm_import_dialog_get_page (CrmImportDialog *self)
{
  g_return_val_if_fail (CRM_IS_IMPORT_DIALOG (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

gboolean
crm_import_dialog_is_busy (CrmImportDialog *self)
{
  g_return_val_if_fail (CRM_IS_IMPORT_DIALOG (self), FALSE);
  return self->job != NULL;
}

const CrmImportSummary *
crm_import_dialog_get_summary (CrmImportDialog *self)
{
  g_return_val_if_fail (CRM_IS_IMPORT_DIALOG (self), NULL);
  return &self->summary;
}

const char *
crm_import_dialog_get_run_id (CrmImportDialog *self)
{
  g_return_val_if_fail (CRM_IS_IMPORT_DIALOG (self), NULL);
  return self->run_id;
}

const char *
crm_import_dialog_get_field (CrmImportDialog *self,
                             guint            column)
{
  g_return_val_if_fail (CRM_IS_IMPORT_DIALOG (self), NULL);
  return self->mapping != NULL ? crm_import_mapping_get_field (self->mapping, column) : NULL;
}
