/* crm-survey-preview.c: the paper form of a survey on screen, and printed through the print dialog */

#include "config.h"

#include <glib/gi18n.h>

#include "crm-survey-preview.h"

struct _CrmSurveyPreview
{
  AdwWindow       parent_instance;

  CrmSurveyPrint *print;
  guint           n_pages;
};

G_DEFINE_FINAL_TYPE (CrmSurveyPreview, crm_survey_preview, ADW_TYPE_WINDOW)

/* On screen one point is one pixel: an A4 page is 595 pixels wide. */
static void
draw_page (GtkDrawingArea *area,
           cairo_t        *cr,
           int             width,
           int             height,
           gpointer        user_data)
{
  CrmSurveyPreview *self = user_data;
  guint page = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (area), "page"));
  double scale;

  if (self->print == NULL)
    return;
  scale = width / crm_survey_print_get_page_width (self->print);
  cairo_scale (cr, scale, scale);
  crm_survey_print_render_page (self->print, cr, page);
}

/* --- printing ------------------------------------------------------------ */

static void
on_begin_print (GtkPrintOperation *operation,
                GtkPrintContext   *context,
                CrmSurveyPrint    *print)
{
  gtk_print_operation_set_n_pages (operation, (int) crm_survey_print_paginate (print));
}

static void
on_draw_page (GtkPrintOperation *operation,
              GtkPrintContext   *context,
              int                page,
              CrmSurveyPrint    *print)
{
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  double scale = gtk_print_context_get_width (context) / crm_survey_print_get_page_width (print);

  /* The form is laid out for A4; another paper size scales it to fit. */
  scale = MIN (scale, gtk_print_context_get_height (context) / crm_survey_print_get_page_height (print));
  cairo_scale (cr, scale, scale);
  crm_survey_print_render_page (print, cr, (guint) page);
}

static void
on_print_done (GtkPrintOperation       *operation,
               GtkPrintOperationResult  result,
               gpointer                 user_data)
{
  g_autoptr(GError) error = NULL;

  if (result == GTK_PRINT_OPERATION_RESULT_ERROR)
    {
      gtk_print_operation_get_error (operation, &error);
      g_warning ("Printing the survey failed: %s", error ? error->message : "?");
    }
}

void
crm_survey_preview_print (GtkWindow      *parent,
                          CrmSurveyPrint *print)
{
  g_autoptr(GtkPrintOperation) operation = gtk_print_operation_new ();
  g_autoptr(GtkPageSetup) setup = gtk_page_setup_new ();
  g_autoptr(GtkPaperSize) a4 = gtk_paper_size_new (GTK_PAPER_NAME_A4);
  g_autoptr(GError) error = NULL;

  gtk_page_setup_set_paper_size_and_default_margins (setup, a4);
  gtk_print_operation_set_default_page_setup (operation, setup);
  /* The form draws its own margins. */
  gtk_print_operation_set_use_full_page (operation, TRUE);
  gtk_print_operation_set_unit (operation, GTK_UNIT_POINTS);
  gtk_print_operation_set_embed_page_setup (operation, TRUE);
  gtk_print_operation_set_allow_async (operation, TRUE);
  g_signal_connect (operation, "begin-print", G_CALLBACK (on_begin_print), print);
  g_signal_connect (operation, "draw-page", G_CALLBACK (on_draw_page), print);
  g_signal_connect (operation, "done", G_CALLBACK (on_print_done), NULL);
  /* The print lives as long as the operation. */
  g_object_set_data_full (G_OBJECT (operation), "crm-survey-print", print,
                          (GDestroyNotify) crm_survey_print_free);
  if (gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG, parent, &error) ==
      GTK_PRINT_OPERATION_RESULT_ERROR)
    g_warning ("Could not print the survey: %s", error->message);
}

static void
on_print_clicked (CrmSurveyPreview *self)
{
  CrmSurveyPrint *print = self->print;

  /* The print dialog takes the form over; the preview closes. */
  self->print = NULL;
  crm_survey_preview_print (gtk_window_get_transient_for (GTK_WINDOW (self)), print);
  gtk_window_destroy (GTK_WINDOW (self));
}

/* --- GObject --------------------------------------------------------------- */

static void
crm_survey_preview_finalize (GObject *object)
{
  CrmSurveyPreview *self = CRM_SURVEY_PREVIEW (object);

  g_clear_pointer (&self->print, crm_survey_print_free);
  G_OBJECT_CLASS (crm_survey_preview_parent_class)->finalize (object);
}

static void
crm_survey_preview_class_init (CrmSurveyPreviewClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = crm_survey_preview_finalize;
}

static void
crm_survey_preview_init (CrmSurveyPreview *self)
{
  gtk_window_set_title (GTK_WINDOW (self), _("Form Preview"));
  gtk_window_set_default_size (GTK_WINDOW (self), 700, 800);
}

CrmSurveyPreview *
crm_survey_preview_new (CrmSurveyPrint *print)
{
  CrmSurveyPreview *self = g_object_new (CRM_TYPE_SURVEY_PREVIEW, NULL);
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *print_button = gtk_button_new_with_mnemonic (_("_Print…"));
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *pages = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);

  self->print = print;
  self->n_pages = crm_survey_print_paginate (print);

  gtk_widget_add_css_class (print_button, "suggested-action");
  g_signal_connect_swapped (print_button, "clicked", G_CALLBACK (on_print_clicked), self);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), print_button);
  gtk_box_append (GTK_BOX (content), header);

  gtk_widget_set_margin_top (pages, 18);
  gtk_widget_set_margin_bottom (pages, 18);
  gtk_widget_set_halign (pages, GTK_ALIGN_CENTER);
  for (guint i = 0; i < self->n_pages; i++)
    {
      GtkWidget *area = gtk_drawing_area_new ();

      g_object_set_data (G_OBJECT (area), "page", GUINT_TO_POINTER (i));
      gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (area), (int) crm_survey_print_get_page_width (print));
      gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (area), (int) crm_survey_print_get_page_height (print));
      gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (area), draw_page, self, NULL);
      gtk_widget_add_css_class (area, "card");
      gtk_box_append (GTK_BOX (pages), area);
    }
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), pages);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (content), scrolled);
  adw_window_set_content (ADW_WINDOW (self), content);
  return self;
}

guint
crm_survey_preview_get_n_pages (CrmSurveyPreview *self)
{
  g_return_val_if_fail (CRM_IS_SURVEY_PREVIEW (self), 0);
  return self->n_pages;
}
