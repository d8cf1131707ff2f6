/* crm-reports-page.c: the Reports workspace: report templates, period, page preview, print and export */

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "crm-analytics.h"
#include "crm-date-range-button.h"
#include "crm-report-builder.h"
#include "crm-reports-page.h"

#define ZOOM_MIN 0.5
#define ZOOM_MAX 2.5
#define ZOOM_STEP 1.25

/* The composite reports first; the single sections after them are what
 * `crmctl report` prints, handy on their own. */
static const struct
{
  const char *name;
  const char *description;
} templates[] = {
  { "monthly", N_("KPIs, sales trend, top customers, cohorts, churn, pipeline, NPS and service times") },
  { "retention", N_("Retention summary, cohorts, retention curves and churn") },
  { "sales-by-owner", N_("Revenue per salesperson, with share and change") },
  { "sales-by-region", N_("Revenue per province, with share and change") },
  { "sales-by-product", N_("Revenue per product, and the top customers") },
  { "campaigns", N_("Response and conversion of each campaign") },
  { "forecast", N_("Weighted pipeline by expected close month, won against target, stage conversion") },
  { "kpis", NULL },
  { "sales-trend", NULL },
  { "cohort-retention", NULL },
  { "churn", NULL },
  { "rfm", NULL },
  { "funnel", NULL },
  { "nps", NULL },
  { "service", NULL },
};
#define FIRST_SECTION 7

static const char * const periods[] = { "month", "last-month", "quarter", "last-quarter", "year", "last-year" };

typedef enum
{
  EXPORT_PDF,
  EXPORT_SVG,
  EXPORT_PNG,
  EXPORT_CSV,
} ExportFormat;

static const char * const export_formats[] = { "pdf", "svg", "png", "csv" };

/* What a background job builds (and writes, for an export). Built on its
 * own read-only connection; @permille is read by the main thread. */
typedef struct
{
  char              *db_path;
  char              *name;
  CrmAnalyticsQuery  query;
  char              *path;       /* NULL: build for the preview */
  ExportFormat       format;
  gboolean           empty;      /* preview: no purchases to report */
  guint              n_pages;
  int                permille;
} Job;

struct _CrmReportsPage
{
  GtkWidget          parent_instance;

  AdwToastOverlay   *toast_overlay;
  GtkListBox        *template_list;
  GtkLabel          *title_label;
  GtkLabel          *period_label;
  GtkDropDown       *period_dropdown;
  CrmDateRangeButton *range_button;
  GtkMenuButton     *export_button;
  GtkStack          *view_stack;
  GtkProgressBar    *build_progress;
  GtkScrolledWindow *preview_scroller;
  GtkBox            *pages_box;
  AdwStatusPage     *empty_status;
  AdwStatusPage     *error_status;
  GtkRevealer       *export_revealer;
  GtkLabel          *export_label;
  GtkProgressBar    *export_progress;

  CrmContext        *context;
  char              *template_name;
  char              *period;
  CrmAnalyticsQuery  query;
  CrmReport         *report;
  double             zoom;

  GTask             *build_task;    /* not owned: the one whose result counts */
  GCancellable      *build_cancellable;
  GTask             *export_task;   /* likewise */
  GCancellable      *export_cancellable;
  guint              progress_source;
  guint              refresh_source;
  guint              fit_source;
  int                fit_width;      /* the preview's width the pages fit */
  gboolean           stale;
  gboolean           setting_period;

  GtkPrintOperation *print_operation;  /* while the print dialog is open */
  char              *last_export;
  char              *last_toast;
};

G_DEFINE_FINAL_TYPE (CrmReportsPage, crm_reports_page, GTK_TYPE_WIDGET)

static void refresh (CrmReportsPage *self);

static void
job_free (Job *job)
{
  g_free (job->db_path);
  g_free (job->name);
  g_free (job->path);
  g_free (job);
}

/* ---------------------------------------------------------------------- */
/* Toasts and state */

static void
show_toast (CrmReportsPage *self,
            const char     *text,
            gboolean        error)
{
  AdwToast *toast = adw_toast_new (text);

  g_free (self->last_toast);
  self->last_toast = g_strdup (text);
  if (error)
    adw_toast_set_timeout (toast, 0);
  else if (self->last_export != NULL)
    {
      adw_toast_set_button_label (toast, _("_Open"));
      adw_toast_set_action_name (toast, "reports.open-export");
    }
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
update_actions (CrmReportsPage *self)
{
  gboolean ready = self->report != NULL &&
                   g_strcmp0 (gtk_stack_get_visible_child_name (self->view_stack), "preview") == 0;
  gboolean exporting = self->export_task != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reports.print", ready && self->print_operation == NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reports.print-preview", ready && self->print_operation == NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reports.print-to", ready && self->print_operation == NULL);
  /* What is exported is what is shown (built again in the export's thread). */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reports.export", ready && !exporting);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reports.export-to", ready && !exporting);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reports.cancel", exporting || self->build_task != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reports.zoom-in", ready && self->zoom < ZOOM_MAX);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reports.zoom-out", ready && self->zoom > ZOOM_MIN);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reports.open-export", self->last_export != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->export_button), ready && !exporting);
}

static gboolean
update_progress (gpointer data)
{
  CrmReportsPage *self = data;

  if (self->build_task != NULL)
    {
      Job *job = g_task_get_task_data (self->build_task);

      gtk_progress_bar_set_fraction (self->build_progress, g_atomic_int_get (&job->permille) / 1000.0);
    }
  if (self->export_task != NULL)
    {
      Job *job = g_task_get_task_data (self->export_task);

      gtk_progress_bar_set_fraction (self->export_progress, g_atomic_int_get (&job->permille) / 1000.0);
    }
  if (self->build_task == NULL && self->export_task == NULL)
    {
      self->progress_source = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
watch_progress (CrmReportsPage *self)
{
  if (self->progress_source == 0)
    self->progress_source = g_timeout_add (100, update_progress, self);
}

/* ---------------------------------------------------------------------- */
/* The job, in a thread */

static void
on_job_progress (double   fraction,
                 gpointer user_data)
{
  Job *job = user_data;
  double share = job->path != NULL ? 0.8 : 1.0;

  g_atomic_int_set (&job->permille, (int) (fraction * share * 1000));
}

/* The file is written next to @path and renamed over it once whole, so a
 * failed or cancelled export never leaves half a file behind. */
static gboolean
write_report (CrmReport    *report,
              Job          *job,
              GError      **error)
{
  g_autofree char *partial = NULL;
  gboolean ok;

  if (job->format == EXPORT_SVG || job->format == EXPORT_PNG)
    return crm_report_write (report, job->format == EXPORT_SVG ? CRM_REPORT_FORMAT_SVG : CRM_REPORT_FORMAT_PNG,
                             job->path, 150, error);

  partial = g_strconcat (job->path, ".part", NULL);
  if (job->format == EXPORT_CSV)
    ok = crm_report_write_csv (report, partial, error);
  else
    ok = crm_report_write (report, CRM_REPORT_FORMAT_PDF, partial, 0, error);
  if (ok && g_rename (partial, job->path) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not save the report as “%s”: %s."), job->path, g_strerror (saved));
      ok = FALSE;
    }
  if (!ok)
    g_unlink (partial);
  return ok;
}

static void
job_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmStore) store = crm_store_open_full (job->db_path, CRM_STORE_OPEN_READ_ONLY, &error);
  g_autoptr(CrmReport) report = NULL;

  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (job->path == NULL)
    {
      gboolean has_purchases = FALSE;

      if (!crm_analytics_has_purchases (store, &job->query, &has_purchases, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      if (!has_purchases)
        {
          job->empty = TRUE;
          g_task_return_pointer (task, NULL, NULL);
          return;
        }
    }
  report = crm_report_builder_build_full (store, job->name, &job->query, cancellable, on_job_progress, job, &error);
  if (report == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  job->n_pages = crm_report_paginate (report);
  if (job->path != NULL)
    {
      if (g_task_return_error_if_cancelled (task))
        return;
      if (!write_report (report, job, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_atomic_int_set (&job->permille, 1000);
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&report), (GDestroyNotify) crm_report_free);
}

static GTask *
start_job (CrmReportsPage      *self,
           const char          *path,
           ExportFormat         format,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback)
{
  GTask *task = g_task_new (NULL, cancellable, callback, g_object_ref (self));
  Job *job = g_new0 (Job, 1);

  job->db_path = g_strdup (crm_store_get_path (crm_context_get_store (self->context)));
  job->name = g_strdup (self->template_name);
  job->query = self->query;
  job->path = g_strdup (path);
  job->format = format;
  g_task_set_source_tag (task, start_job);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, job_thread);
  watch_progress (self);
  return task;
}

/* ---------------------------------------------------------------------- */
/* Preview */

static void
draw_page (GtkDrawingArea *area,
           cairo_t        *cr,
           int             width,
           int             height,
           gpointer        data)
{
  CrmReportsPage *self = data;
  guint page = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (area), "page"));
  double scale;

  /* Paper is white in the dark style too. */
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  if (self->report == NULL)
    return;
  scale = width / crm_report_get_page_width (self->report);
  cairo_scale (cr, scale, scale);
  crm_report_render_page (self->report, cr, page);
}

/* Zoom 1 fits the page to the preview's width (within reason: a very
 * wide window does not make poster-sized pages). */
static double
page_scale (CrmReportsPage *self)
{
  double fit = self->fit_width > 0 ? (self->fit_width - 48) / crm_report_get_page_width (self->report) : 1.0;

  return CLAMP (fit, 0.6, 1.6) * self->zoom;
}

static void
size_pages (CrmReportsPage *self)
{
  if (self->report == NULL)
    return;
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->pages_box));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (child),
                                          (int) (crm_report_get_page_width (self->report) * page_scale (self)));
      gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (child),
                                           (int) (crm_report_get_page_height (self->report) * page_scale (self)));
    }
}

static void
clear_pages (CrmReportsPage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->pages_box))) != NULL)
    gtk_box_remove (self->pages_box, child);
}

/* A print dialog still open draws the report it was given. */
static void
set_report (CrmReportsPage *self,
            CrmReport      *report)
{
  if (self->report != NULL)
    {
      if (self->print_operation != NULL)
        g_object_set_data_full (G_OBJECT (self->print_operation), "report", self->report,
                                (GDestroyNotify) crm_report_free);
      else
        crm_report_free (self->report);
    }
  self->report = report;
}

static void
show_report (CrmReportsPage *self,
             CrmReport      *report)
{
  guint n;

  clear_pages (self);
  set_report (self, report);
  n = crm_report_paginate (report);
  for (guint i = 0; i < n; i++)
    {
      GtkWidget *area = gtk_drawing_area_new ();
      g_autofree char *label = g_strdup_printf (_("Page %u of %u"), i + 1, n);

      g_object_set_data (G_OBJECT (area), "page", GUINT_TO_POINTER (i));
      gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (area), draw_page, self, NULL);
      gtk_widget_add_css_class (area, "crm-report-page");
      gtk_widget_set_halign (area, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (area), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
      gtk_box_append (self->pages_box, area);
    }
  size_pages (self);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->preview_scroller), 0);
  gtk_stack_set_visible_child_name (self->view_stack, "preview");
}

static void
on_build_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CrmReportsPage) self = user_data;
  GTask *task = G_TASK (result);
  Job *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  CrmReport *report = g_task_propagate_pointer (task, &error);

  if (task != self->build_task)
    {
      /* A newer build replaced this one. */
      g_clear_pointer (&report, crm_report_free);
      return;
    }
  self->build_task = NULL;
  if (report != NULL)
    show_report (self, report);
  else if (job->empty)
    {
      clear_pages (self);
      set_report (self, NULL);
      gtk_stack_set_visible_child_name (self->view_stack, "empty");
    }
  else
    {
      gboolean cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

      clear_pages (self);
      set_report (self, NULL);
      adw_status_page_set_title (self->error_status, cancelled ? _("Report Not Built")
                                                               : _("The Report Could Not Be Built"));
      adw_status_page_set_description (self->error_status,
                                       cancelled ? _("It was cancelled. Build it again with Try Again.")
                                                 : error->message);
      gtk_stack_set_visible_child_name (self->view_stack, "error");
    }
  update_actions (self);
}

static void
refresh (CrmReportsPage *self)
{
  g_autofree char *period = NULL;

  g_clear_handle_id (&self->refresh_source, g_source_remove);
  if (self->context == NULL || self->template_name == NULL)
    return;
  if (self->build_cancellable != NULL)
    g_cancellable_cancel (self->build_cancellable);
  g_clear_object (&self->build_cancellable);
  self->build_cancellable = g_cancellable_new ();
  self->stale = FALSE;

  gtk_label_set_label (self->title_label, crm_report_builder_get_title (self->template_name));
  period = crm_report_builder_format_period (&self->query);
  gtk_label_set_label (self->period_label, period);
  gtk_progress_bar_set_fraction (self->build_progress, 0);
  gtk_stack_set_visible_child_name (self->view_stack, "loading");

  {
    g_autoptr(GTask) task = start_job (self, NULL, EXPORT_PDF, self->build_cancellable, on_build_done);

    self->build_task = task;
  }
  update_actions (self);
}

/* ---------------------------------------------------------------------- */
/* Export */

static void
on_export_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CrmReportsPage) self = user_data;
  GTask *task = G_TASK (result);
  Job *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *basename = g_path_get_basename (job->path);
  g_autofree char *text = NULL;

  g_task_propagate_pointer (task, &error);
  if (task != self->export_task)
    return;   /* the page is gone */
  self->export_task = NULL;
  gtk_revealer_set_reveal_child (self->export_revealer, FALSE);
  if (error != NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_toast (self, _("Export cancelled; nothing was saved."), FALSE);
      else
        show_toast (self, error->message, TRUE);
    }
  else
    {
      g_free (self->last_export);
      self->last_export = g_strdup (job->path);
      if ((job->format == EXPORT_SVG || job->format == EXPORT_PNG) && job->n_pages > 1)
        text = g_strdup_printf (ngettext ("Saved “%s” and %u more page next to it",
                                          "Saved “%s” and %u more pages next to it", job->n_pages - 1),
                                basename, job->n_pages - 1);
      else
        text = g_strdup_printf (_("Saved “%s”"), basename);
      show_toast (self, text, FALSE);
    }
  update_actions (self);
}

static void
start_export (CrmReportsPage *self,
              ExportFormat    format,
              const char     *path)
{
  g_autofree char *basename = g_path_get_basename (path);
  g_autofree char *label = g_strdup_printf (_("Exporting “%s”…"), basename);

  if (self->context == NULL || self->export_task != NULL)
    return;
  g_clear_object (&self->export_cancellable);
  self->export_cancellable = g_cancellable_new ();
  gtk_label_set_label (self->export_label, label);
  gtk_progress_bar_set_fraction (self->export_progress, 0);
  gtk_revealer_set_reveal_child (self->export_revealer, TRUE);
  {
    g_autoptr(GTask) task = start_job (self, path, format, self->export_cancellable, on_export_done);

    self->export_task = task;
  }
  update_actions (self);
}

static gboolean
parse_format (const char   *text,
              ExportFormat *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (export_formats); i++)
    if (g_str_equal (text, export_formats[i]))
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}

/* "Monthly management report October 2026.pdf", without characters a file
 * name cannot hold. */
static char *
suggested_name (CrmReportsPage *self,
                ExportFormat    format)
{
  g_autofree char *period = crm_report_builder_format_period (&self->query);
  g_autofree char *name = g_strdup_printf ("%s %s.%s", crm_report_builder_get_title (self->template_name),
                                           period, export_formats[format]);

  g_strdelimit (name, "/\\:", '-');
  return g_steal_pointer (&name);
}

static void
on_chooser_response (GtkNativeDialog *dialog,
                     int              response,
                     gpointer         data)
{
  CrmReportsPage *self = data;
  ExportFormat format = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "format"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        start_export (self, format, path);
    }
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CrmReportsPage *self = CRM_REPORTS_PAGE (widget);
  static const char * const filter_names[] = { N_("PDF documents"), N_("SVG images"), N_("PNG images"),
                                               N_("CSV files") };
  static const char * const mime_types[] = { "application/pdf", "image/svg+xml", "image/png", "text/csv" };
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *name = NULL;
  ExportFormat format;

  if (!parse_format (g_variant_get_string (parameter, NULL), &format) || self->template_name == NULL)
    return;
  chooser = gtk_file_chooser_native_new (_("Export Report"), GTK_WINDOW (gtk_widget_get_root (widget)),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  name = suggested_name (self, format);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_file_filter_set_name (filter, _(filter_names[format]));
  gtk_file_filter_add_mime_type (filter, mime_types[format]);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_object_set_data (G_OBJECT (chooser), "format", GUINT_TO_POINTER (format));
  g_signal_connect (chooser, "response", G_CALLBACK (on_chooser_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* reports.export-to (format, path): the export without the file chooser. */
static void
export_to_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CrmReportsPage *self = CRM_REPORTS_PAGE (widget);
  const char *format_text, *path;
  ExportFormat format;

  g_variant_get (parameter, "(&s&s)", &format_text, &path);
  if (parse_format (format_text, &format) && self->template_name != NULL)
    start_export (self, format, path);
}

static void
open_export_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CrmReportsPage *self = CRM_REPORTS_PAGE (widget);
  g_autoptr(GFile) file = NULL;
  g_autofree char *uri = NULL;

  if (self->last_export == NULL)
    return;
  file = g_file_new_for_path (self->last_export);
  uri = g_file_get_uri (file);
  gtk_show_uri (GTK_WINDOW (gtk_widget_get_root (widget)), uri, GDK_CURRENT_TIME);
}

/* ---------------------------------------------------------------------- */
/* Print */

static void
on_begin_print (GtkPrintOperation *operation,
                GtkPrintContext   *context,
                CrmReport         *report)
{
  gtk_print_operation_set_n_pages (operation, (int) crm_report_paginate (report));
}

static void
on_draw_page (GtkPrintOperation *operation,
              GtkPrintContext   *context,
              int                page,
              CrmReport         *report)
{
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  double scale = MIN (gtk_print_context_get_width (context) / crm_report_get_page_width (report),
                      gtk_print_context_get_height (context) / crm_report_get_page_height (report));

  cairo_save (cr);
  cairo_scale (cr, scale, scale);
  crm_report_render_page (report, cr, (guint) page);
  cairo_restore (cr);
}

static void
on_print_done (GtkPrintOperation       *operation,
               GtkPrintOperationResult  result,
               gpointer                 data)
{
  CrmReportsPage *self = data;
  g_autoptr(GError) error = NULL;

  if (result == GTK_PRINT_OPERATION_RESULT_ERROR)
    {
      gtk_print_operation_get_error (operation, &error);
      show_toast (self, error != NULL ? error->message : _("Could not print the report."), TRUE);
    }
  else if (result == GTK_PRINT_OPERATION_RESULT_APPLY)
    {
      const char *path = g_object_get_data (G_OBJECT (operation), "export-path");
      g_autofree char *basename = path != NULL ? g_path_get_basename (path) : NULL;
      g_autofree char *text = basename != NULL ? g_strdup_printf (_("Saved “%s”"), basename) : NULL;

      show_toast (self, text != NULL ? text : _("The report was sent to the printer"), FALSE);
    }
  if (self->print_operation == operation)
    g_clear_object (&self->print_operation);
  update_actions (self);
  g_object_unref (self);
}

/* The report shown, through GtkPrintOperation: the print dialog (with its
 * preview), the preview alone, or straight to a PDF at @export_path. */
static void
print_report (CrmReportsPage          *self,
              GtkPrintOperationAction  action,
              const char              *export_path)
{
  g_autoptr(GtkPrintOperation) operation = gtk_print_operation_new ();
  g_autoptr(GtkPageSetup) setup = gtk_page_setup_new ();
  g_autoptr(GtkPaperSize) paper = NULL;
  g_autoptr(GError) error = NULL;
  gboolean landscape;

  if (self->report == NULL || self->print_operation != NULL)
    return;
  landscape = crm_report_get_page_width (self->report) > crm_report_get_page_height (self->report);
  paper = gtk_paper_size_new_custom ("crm-report", "crm-report",
                                     landscape ? crm_report_get_page_height (self->report)
                                               : crm_report_get_page_width (self->report),
                                     landscape ? crm_report_get_page_width (self->report)
                                               : crm_report_get_page_height (self->report),
                                     GTK_UNIT_POINTS);
  gtk_page_setup_set_paper_size (setup, paper);
  gtk_page_setup_set_orientation (setup, landscape ? GTK_PAGE_ORIENTATION_LANDSCAPE
                                                   : GTK_PAGE_ORIENTATION_PORTRAIT);
  gtk_print_operation_set_default_page_setup (operation, setup);
  gtk_print_operation_set_use_full_page (operation, TRUE);
  gtk_print_operation_set_unit (operation, GTK_UNIT_POINTS);
  gtk_print_operation_set_job_name (operation, crm_report_builder_get_title (self->template_name));
  gtk_print_operation_set_embed_page_setup (operation, TRUE);
  g_signal_connect (operation, "begin-print", G_CALLBACK (on_begin_print), self->report);
  g_signal_connect (operation, "draw-page", G_CALLBACK (on_draw_page), self->report);
  g_signal_connect (operation, "done", G_CALLBACK (on_print_done), g_object_ref (self));
  if (export_path != NULL)
    {
      gtk_print_operation_set_export_filename (operation, export_path);
      g_object_set_data_full (G_OBJECT (operation), "export-path", g_strdup (export_path), g_free);
    }
  else
    gtk_print_operation_set_allow_async (operation, TRUE);
  self->print_operation = g_object_ref (operation);
  update_actions (self);
  if (gtk_print_operation_run (operation, action, GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                               &error) == GTK_PRINT_OPERATION_RESULT_ERROR && error != NULL)
    {
      /* "done" said so already when it was emitted; say it once. */
      if (self->print_operation == operation)
        {
          show_toast (self, error->message, TRUE);
          g_clear_object (&self->print_operation);
          update_actions (self);
        }
    }
  if (export_path != NULL && self->print_operation == operation)
    {
      g_clear_object (&self->print_operation);
      update_actions (self);
    }
}

static void
print_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  print_report (CRM_REPORTS_PAGE (widget), GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG, NULL);
}

static void
print_preview_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  print_report (CRM_REPORTS_PAGE (widget), GTK_PRINT_OPERATION_ACTION_PREVIEW, NULL);
}

/* reports.print-to (path): what "Print to File" does, without the dialog. */
static void
print_to_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  print_report (CRM_REPORTS_PAGE (widget), GTK_PRINT_OPERATION_ACTION_EXPORT, g_variant_get_string (parameter, NULL));
}

/* ---------------------------------------------------------------------- */
/* Template, period, zoom */

static gboolean
period_dates (const char *period,
              GDate      *from,
              GDate      *to)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  GDate today;
  int quarter_month;

  g_date_clear (&today, 1);
  g_date_set_dmy (&today, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                  g_date_time_get_year (now));
  *from = *to = today;
  quarter_month = (g_date_get_month (&today) - 1) / 3 * 3 + 1;
  if (g_str_equal (period, "month"))
    g_date_set_day (from, 1);
  else if (g_str_equal (period, "last-month"))
    {
      g_date_set_day (to, 1);
      g_date_subtract_days (to, 1);
      *from = *to;
      g_date_set_day (from, 1);
    }
  else if (g_str_equal (period, "quarter"))
    g_date_set_dmy (from, 1, quarter_month, g_date_get_year (&today));
  else if (g_str_equal (period, "last-quarter"))
    {
      g_date_set_dmy (to, 1, quarter_month, g_date_get_year (&today));
      g_date_subtract_days (to, 1);
      *from = *to;
      g_date_set_day (from, 1);
      g_date_subtract_months (from, 2);
    }
  else if (g_str_equal (period, "year"))
    g_date_set_dmy (from, 1, 1, g_date_get_year (&today));
  else if (g_str_equal (period, "last-year"))
    {
      g_date_set_dmy (from, 1, 1, g_date_get_year (&today) - 1);
      g_date_set_dmy (to, 31, 12, g_date_get_year (&today) - 1);
    }
  else
    return FALSE;
  return TRUE;
}

static void
set_period (CrmReportsPage *self,
            const char     *period)
{
  GDate from, to;

  if (!period_dates (period, &from, &to))
    return;
  g_free (self->period);
  self->period = g_strdup (period);
  self->query.from = from;
  self->query.to = to;
  self->setting_period = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (periods); i++)
    if (g_str_equal (periods[i], period))
      gtk_drop_down_set_selected (self->period_dropdown, i);
  gtk_widget_set_visible (GTK_WIDGET (self->range_button), FALSE);
  self->setting_period = FALSE;
  refresh (self);
}

static void
period_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  set_period (CRM_REPORTS_PAGE (widget), g_variant_get_string (parameter, NULL));
}

/* reports.range (from, to): any period, as YYYY-MM-DD. */
static void
range_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  CrmReportsPage *self = CRM_REPORTS_PAGE (widget);
  g_autoptr(GError) error = NULL;
  const char *from, *to;
  CrmAnalyticsQuery query;

  g_variant_get (parameter, "(&s&s)", &from, &to);
  if (!crm_analytics_query_init (&query, from, to, &error))
    {
      gtk_widget_set_visible (GTK_WIDGET (self->range_button), TRUE);
      crm_date_range_button_show_error (self->range_button, error->message);
      return;
    }
  g_free (self->period);
  self->period = g_strdup ("custom");
  self->query.from = query.from;
  self->query.to = query.to;
  self->setting_period = TRUE;
  gtk_drop_down_set_selected (self->period_dropdown, G_N_ELEMENTS (periods));
  gtk_widget_set_visible (GTK_WIDGET (self->range_button), TRUE);
  crm_date_range_button_set_range (self->range_button, &query.from, &query.to);
  self->setting_period = FALSE;
  crm_date_range_button_popdown (self->range_button);
  refresh (self);
}

static void
on_period_selected (CrmReportsPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->period_dropdown);

  if (self->setting_period)
    return;
  if (selected < G_N_ELEMENTS (periods))
    {
      set_period (self, periods[selected]);
      return;
    }
  /* Custom range: start from the period shown and let the dates be edited. */
  crm_date_range_button_set_range (self->range_button, &self->query.from, &self->query.to);
  gtk_widget_set_visible (GTK_WIDGET (self->range_button), TRUE);
  crm_date_range_button_popup (self->range_button);
}

static void
on_range_chosen (CrmReportsPage *self,
                 const char     *from,
                 const char     *to)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "reports.range", "(ss)", from, to);
}

static void
select_template_row (CrmReportsPage *self)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->template_list));
       row != NULL; row = gtk_widget_get_next_sibling (row))
    if (GTK_IS_LIST_BOX_ROW (row) && g_strcmp0 (gtk_widget_get_name (row), self->template_name) == 0)
      {
        gtk_list_box_select_row (self->template_list, GTK_LIST_BOX_ROW (row));
        return;
      }
}

static void
set_template (CrmReportsPage *self,
              const char     *name)
{
  if (!crm_report_builder_has_name (name))
    return;
  if (g_strcmp0 (self->template_name, name) == 0 && (self->report != NULL || self->build_task != NULL))
    return;
  g_free (self->template_name);
  self->template_name = g_strdup (name);
  select_template_row (self);
  refresh (self);
}

static void
template_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  set_template (CRM_REPORTS_PAGE (widget), g_variant_get_string (parameter, NULL));
}

static void
on_row_selected (CrmReportsPage *self,
                 GtkListBoxRow  *row)
{
  if (row != NULL)
    set_template (self, gtk_widget_get_name (GTK_WIDGET (row)));
}

static void
set_zoom (CrmReportsPage *self,
          double          zoom)
{
  self->zoom = CLAMP (zoom, ZOOM_MIN, ZOOM_MAX);
  size_pages (self);
  update_actions (self);
}

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CrmReportsPage *self = CRM_REPORTS_PAGE (widget);

  if (g_str_equal (action_name, "reports.zoom-in"))
    set_zoom (self, self->zoom * ZOOM_STEP);
  else if (g_str_equal (action_name, "reports.zoom-out"))
    set_zoom (self, self->zoom / ZOOM_STEP);
  else
    set_zoom (self, 1.0);
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  refresh (CRM_REPORTS_PAGE (widget));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CrmReportsPage *self = CRM_REPORTS_PAGE (widget);

  if (self->export_task != NULL)
    g_cancellable_cancel (self->export_cancellable);
  else if (self->build_task != NULL)
    g_cancellable_cancel (self->build_cancellable);
}

/* ---------------------------------------------------------------------- */
/* Following the store */

static gboolean
refresh_later (gpointer data)
{
  CrmReportsPage *self = data;

  self->refresh_source = 0;
  refresh (self);
  return G_SOURCE_REMOVE;
}

static void
on_store_changed (CrmReportsPage *self)
{
  /* A sync or an import changes many tables in a row: build once after. */
  self->stale = TRUE;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)) && self->report != NULL && self->refresh_source == 0)
    self->refresh_source = g_timeout_add_seconds (2, refresh_later, self);
}

static gboolean
fit_pages (gpointer data)
{
  CrmReportsPage *self = data;

  self->fit_source = 0;
  size_pages (self);
  return G_SOURCE_REMOVE;
}

/* A bin, but one that sees its width change (a layout manager would
 * allocate without telling). */
static void
crm_reports_page_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  CrmReportsPage *self = CRM_REPORTS_PAGE (widget);

  gtk_widget_measure (GTK_WIDGET (self->toast_overlay), orientation, for_size, minimum, natural,
                      minimum_baseline, natural_baseline);
}

static void
crm_reports_page_size_allocate (GtkWidget *widget,
                                int        width,
                                int        height,
                                int        baseline)
{
  CrmReportsPage *self = CRM_REPORTS_PAGE (widget);
  int preview_width;

  gtk_widget_allocate (GTK_WIDGET (self->toast_overlay), width, height, baseline, NULL);
  /* Resizing the pages while allocating would allocate again: later. */
  preview_width = gtk_widget_get_width (GTK_WIDGET (self->view_stack));
  if (preview_width != self->fit_width)
    {
      self->fit_width = preview_width;
      if (self->fit_source == 0)
        self->fit_source = g_idle_add (fit_pages, self);
    }
}

static void
crm_reports_page_map (GtkWidget *widget)
{
  CrmReportsPage *self = CRM_REPORTS_PAGE (widget);

  GTK_WIDGET_CLASS (crm_reports_page_parent_class)->map (widget);
  /* Nothing is built before the workspace is first shown. */
  if (self->build_task == NULL && (self->stale || g_strcmp0 (gtk_stack_get_visible_child_name (self->view_stack),
                                                             "loading") == 0))
    refresh (self);
}

/* ---------------------------------------------------------------------- */

static GtkWidget *
create_template_row (guint index)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title = gtk_label_new (crm_report_builder_get_title (templates[index].name));

  gtk_widget_set_name (row, templates[index].name);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_box_append (GTK_BOX (box), title);
  if (templates[index].description != NULL)
    {
      GtkWidget *description = gtk_label_new (_(templates[index].description));

      gtk_label_set_xalign (GTK_LABEL (description), 0);
      gtk_label_set_wrap (GTK_LABEL (description), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (description), 30);
      gtk_widget_add_css_class (description, "dim-label");
      gtk_widget_add_css_class (description, "caption");
      gtk_box_append (GTK_BOX (box), description);
    }
  gtk_widget_set_margin_top (box, 4);
  gtk_widget_set_margin_bottom (box, 4);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  return row;
}

static void
update_header (GtkListBoxRow *row,
               GtkListBoxRow *before,
               gpointer       data)
{
  GtkWidget *header = NULL;

  if (before != NULL && g_strcmp0 (gtk_widget_get_name (GTK_WIDGET (row)), templates[FIRST_SECTION].name) == 0)
    {
      header = gtk_label_new (_("Single Sections"));
      gtk_label_set_xalign (GTK_LABEL (header), 0);
      gtk_widget_set_margin_top (header, 12);
      gtk_widget_set_margin_start (header, 12);
      gtk_widget_set_margin_bottom (header, 4);
      gtk_widget_add_css_class (header, "heading");
      gtk_widget_add_css_class (header, "dim-label");
    }
  gtk_list_box_row_set_header (row, header);
}

static void
crm_reports_page_dispose (GObject *object)
{
  CrmReportsPage *self = CRM_REPORTS_PAGE (object);

  if (self->build_cancellable != NULL)
    g_cancellable_cancel (self->build_cancellable);
  if (self->export_cancellable != NULL)
    g_cancellable_cancel (self->export_cancellable);
  /* Jobs still running hold the page; their results are dropped. */
  self->build_task = NULL;
  self->export_task = NULL;
  g_clear_handle_id (&self->progress_source, g_source_remove);
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  g_clear_handle_id (&self->fit_source, g_source_remove);
  set_report (self, NULL);
  g_clear_object (&self->print_operation);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_REPORTS_PAGE);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (crm_reports_page_parent_class)->dispose (object);
}

static void
crm_reports_page_finalize (GObject *object)
{
  CrmReportsPage *self = CRM_REPORTS_PAGE (object);

  g_clear_object (&self->build_cancellable);
  g_clear_object (&self->export_cancellable);
  g_free (self->template_name);
  g_free (self->period);
  g_free (self->last_export);
  g_free (self->last_toast);

  G_OBJECT_CLASS (crm_reports_page_parent_class)->finalize (object);
}

static void
crm_reports_page_class_init (CrmReportsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_reports_page_dispose;
  object_class->finalize = crm_reports_page_finalize;
  widget_class->map = crm_reports_page_map;
  widget_class->size_allocate = crm_reports_page_size_allocate;
  widget_class->measure = crm_reports_page_measure;

  g_type_ensure (CRM_TYPE_DATE_RANGE_BUTTON);
  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Crm/ui/crm-reports-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmReportsPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CrmReportsPage, template_list);
  gtk_widget_class_bind_template_child (widget_class, CrmReportsPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, CrmReportsPage, period_label);
  gtk_widget_class_bind_template_child (widget_class, CrmReportsPage, period_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CrmReportsPage, range_button);
  gtk_widget_class_bind_template_callback (widget_class, on_range_chosen);
  gtk_widget_class_bind_template_child (widget_class, CrmReportsPage, export_button);
  gtk_widget_class_bind_template_child (widget_class, CrmReportsPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, CrmReportsPage, build_progress);
  gtk_widget_class_bind_template_child (widget_class, CrmReportsPage, preview_scroller);
  gtk_widget_class_bind_template_child (widget_class, CrmReportsPage, pages_box);
  gtk_widget_class_bind_template_child (widget_class, CrmReportsPage, empty_status);
  gtk_widget_class_bind_template_child (widget_class, CrmReportsPage, error_status);
  gtk_widget_class_bind_template_child (widget_class, CrmReportsPage, export_revealer);
  gtk_widget_class_bind_template_child (widget_class, CrmReportsPage, export_label);
  gtk_widget_class_bind_template_child (widget_class, CrmReportsPage, export_progress);

  gtk_widget_class_install_action (widget_class, "reports.template", "s", template_action);
  gtk_widget_class_install_action (widget_class, "reports.period", "s", period_action);
  gtk_widget_class_install_action (widget_class, "reports.range", "(ss)", range_action);
  gtk_widget_class_install_action (widget_class, "reports.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "reports.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "reports.print", NULL, print_action);
  gtk_widget_class_install_action (widget_class, "reports.print-preview", NULL, print_preview_action);
  gtk_widget_class_install_action (widget_class, "reports.print-to", "s", print_to_action);
  gtk_widget_class_install_action (widget_class, "reports.export", "s", export_action);
  gtk_widget_class_install_action (widget_class, "reports.export-to", "(ss)", export_to_action);
  gtk_widget_class_install_action (widget_class, "reports.open-export", NULL, open_export_action);
  gtk_widget_class_install_action (widget_class, "reports.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "reports.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "reports.zoom-reset", NULL, zoom_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "reports.print", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "reports.export", "s", "pdf");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "reports.cancel", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "reports.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK, "reports.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK, "reports.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, GDK_CONTROL_MASK, "reports.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK, "reports.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, GDK_CONTROL_MASK, "reports.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "reports.zoom-reset", NULL);
}

static void
crm_reports_page_init (CrmReportsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->zoom = 1.0;
  for (guint i = 0; i < G_N_ELEMENTS (templates); i++)
    if (crm_report_builder_has_name (templates[i].name))
      gtk_list_box_append (self->template_list, create_template_row (i));
  gtk_list_box_set_header_func (self->template_list, update_header, NULL, NULL);
  self->template_name = g_strdup (templates[0].name);
  self->period = g_strdup ("last-month");
  crm_analytics_query_init (&self->query, "2000-01-01", "2000-01-01", NULL);
  period_dates (self->period, &self->query.from, &self->query.to);
  gtk_drop_down_set_selected (self->period_dropdown, 1);
  select_template_row (self);
  gtk_label_set_label (self->title_label, crm_report_builder_get_title (self->template_name));
  {
    g_autofree char *period = crm_report_builder_format_period (&self->query);

    gtk_label_set_label (self->period_label, period);
  }
  gtk_stack_set_visible_child_name (self->view_stack, "loading");
  g_signal_connect_swapped (self->template_list, "row-selected", G_CALLBACK (on_row_selected), self);
  g_signal_connect_swapped (self->period_dropdown, "notify::selected", G_CALLBACK (on_period_selected), self);
  update_actions (self);
}

void
crm_reports_page_set_context (CrmReportsPage *self,
                              CrmContext     *context)
{
  g_return_if_fail (CRM_IS_REPORTS_PAGE (self));
  g_return_if_fail (CRM_IS_CONTEXT (context));
  g_return_if_fail (self->context == NULL);

  self->context = g_object_ref (context);
  g_signal_connect_object (crm_context_get_store (context), "changed", G_CALLBACK (on_store_changed), self,
                           G_CONNECT_SWAPPED);
  update_actions (self);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    refresh (self);
}

const char *
crm_reports_page_get_state (CrmReportsPage *self)
{
  g_return_val_if_fail (CRM_IS_REPORTS_PAGE (self), NULL);

  return gtk_stack_get_visible_child_name (self->view_stack);
}

CrmReport *
crm_reports_page_get_report (CrmReportsPage *self)
{
  g_return_val_if_fail (CRM_IS_REPORTS_PAGE (self), NULL);

  return self->report;
}

const char *
crm_reports_page_get_template (CrmReportsPage *self)
{
  g_return_val_if_fail (CRM_IS_REPORTS_PAGE (self), NULL);

  return self->template_name;
}

gboolean
crm_reports_page_get_exporting (CrmReportsPage *self)
{
  g_return_val_if_fail (CRM_IS_REPORTS_PAGE (self), FALSE);

  return self->export_task != NULL;
}

const char *
crm_reports_page_get_last_toast (CrmReportsPage *self)
{
  g_return_val_if_fail (CRM_IS_REPORTS_PAGE (self), NULL);

  return self->last_toast;
}
