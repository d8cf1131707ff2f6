/* crm-survey-print.c: a survey as A4 paper forms, one per customer, drawn with Cairo and Pango */

#include "config.h"

#include <cairo-pdf.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <pango/pangocairo.h>

#include "crm-runtime.h"
#include "crm-report-private.h"
#include "crm-report.h"
#include "crm-contact.h"
#include "crm-survey-distribution.h"
#include "crm-survey-form.h"
#include "crm-surveys.h"
#include "crm-report-private.h"
#include "crm-survey-print.h"

#define PAGE_WIDTH 595.28     /* A4 in points */
#define PAGE_HEIGHT 841.89
#define MARGIN 48.0
#define FOOTER 28.0           /* below the content area */
#define TITLE_SIZE 18.0
#define QUESTION_SIZE 10.5
#define BODY_SIZE 9.5
#define SMALL_SIZE 8.0
#define BOX 13.0              /* a tick box's side */
#define QUESTION_GAP 18.0     /* after each question */
#define TEXT_LINES 4          /* ruled lines for a free-text answer */
#define LINE_GAP 22.0

typedef struct
{
  char *name;
  char *code;
  char *link;
} Form;

struct _CrmSurveyPrint
{
  char      *title;
  char      *description;
  GPtrArray *questions;   /* CrmSurveyFormQuestion */
  GPtrArray *forms;       /* Form */
  GArray    *boxes;       /* CrmSurveyPrintBox */
  GArray    *first_pages; /* guint per form, and the page count at the end */
  guint      n_pages;
  gboolean   paginated;
};

static const double black[] = { 0.1, 0.1, 0.1 };
static const double grey[] = { 0.4, 0.4, 0.4 };

static void
form_free (Form *form)
{
  g_free (form->name);
  g_free (form->code);
  g_free (form->link);
  g_free (form);
}

CrmSurveyPrint *
crm_survey_print_new (const char *title,
                      const char *description,
                      GPtrArray  *questions)
{
  CrmSurveyPrint *print = g_new0 (CrmSurveyPrint, 1);

  g_return_val_if_fail (questions != NULL, NULL);

  print->title = g_strdup (title != NULL ? title : "");
  print->description = g_strdup (description);
  print->questions = g_ptr_array_ref (questions);
  print->forms = g_ptr_array_new_with_free_func ((GDestroyNotify) form_free);
  print->boxes = g_array_new (FALSE, TRUE, sizeof (CrmSurveyPrintBox));
  print->first_pages = g_array_new (FALSE, TRUE, sizeof (guint));
  return print;
}

CrmSurveyPrint *
crm_survey_print_new_for_survey (CrmStore      *store,
                                 const char    *survey_id,
                                 GPtrArray     *contact_ids,
                                 const char    *base_url,
                                 GCancellable  *cancellable,
                                 CrmSurveyDistributionProgress progress,
                                 gpointer       user_data,
                                 guint         *out_skipped,
                                 GError       **error)
{
  g_autoptr(CrmSurvey) survey = NULL;
  g_autoptr(GPtrArray) form = NULL;
  g_autoptr(CrmSurveyPrint) print = NULL;
  g_autoptr(CrmSurveyDistribution) links = NULL;
  guint skipped = 0;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);

  survey = crm_store_get (store, CRM_TYPE_SURVEY, survey_id, error);
  if (survey == NULL || (form = crm_surveys_load_form (store, survey_id, error)) == NULL)
    return NULL;
  print = crm_survey_print_new (crm_record_get_string (CRM_RECORD (survey), "title"),
                                crm_record_get_string (CRM_RECORD (survey), "description"), form);
  if (contact_ids == NULL)
    return g_steal_pointer (&print);

  if (base_url != NULL)
    {
      links = crm_survey_distribute (store, survey_id, contact_ids, "letter", cancellable, progress, user_data, error);
      if (links == NULL)
        return NULL;
      skipped = links->skipped_unknown;
      for (guint i = 0; i < links->invitees->len; i++)
        {
          CrmSurveyInvitee *invitee = g_ptr_array_index (links->invitees, i);
          g_autofree char *code = crm_survey_contact_code (invitee->contact_id);
          g_autofree char *link = crm_survey_link (base_url, invitee->token);

          crm_survey_print_add_form (print, invitee->name, code, link);
        }
    }
  else
    for (guint i = 0; i < contact_ids->len; i++)
      {
        const char *id = g_ptr_array_index (contact_ids, i);
        g_autoptr(CrmContact) contact = NULL;
        g_autofree char *code = NULL;

        if (g_cancellable_set_error_if_cancelled (cancellable, error))
          return NULL;
        contact = crm_store_get (store, CRM_TYPE_CONTACT, id, NULL);
        if (contact == NULL || crm_record_get_deleted (CRM_RECORD (contact)))
          {
            skipped++;
            continue;
          }
        code = crm_survey_contact_code (id);
        if (progress != NULL && (i % 64 == 63 || i + 1 == contact_ids->len))
          progress (i + 1, contact_ids->len, user_data);
        crm_survey_print_add_form (print, crm_record_get_string (CRM_RECORD (contact), "name"), code, NULL);
      }
  if (out_skipped != NULL)
    *out_skipped = skipped;
  return g_steal_pointer (&print);
}

void
crm_survey_print_free (CrmSurveyPrint *print)
{
  if (print == NULL)
    return;
  g_free (print->title);
  g_free (print->description);
  g_ptr_array_unref (print->questions);
  g_ptr_array_unref (print->forms);
  g_array_unref (print->boxes);
  g_array_unref (print->first_pages);
  g_free (print);
}

void
crm_survey_print_add_form (CrmSurveyPrint *print,
                           const char     *name,
                           const char     *code,
                           const char     *link)
{
  Form *form = g_new0 (Form, 1);

  form->name = g_strdup (name);
  form->code = g_strdup (code);
  form->link = g_strdup (link);
  g_ptr_array_add (print->forms, form);
  print->paginated = FALSE;
}

double
crm_survey_print_get_page_width (CrmSurveyPrint *print)
{
  return PAGE_WIDTH;
}

double
crm_survey_print_get_page_height (CrmSurveyPrint *print)
{
  return PAGE_HEIGHT;
}

void
crm_survey_print_get_content_area (CrmSurveyPrint *print,
                                   double         *top,
                                   double         *bottom)
{
  *top = MARGIN;
  *bottom = PAGE_HEIGHT - MARGIN - FOOTER;
}

/* --- text ------------------------------------------------------------------ */


/* Draws @text (when @draw) and returns its height. */
static double
text (cairo_t        *cr,
      gboolean        draw,
      double          size,
      gboolean        bold,
      const double    rgb[3],
      const char     *string,
      double          x,
      double          y,
      double          width,
      PangoAlignment  align)
{
  PangoLayout *layout = crm_report_text_layout (cr, size, bold, string, width, TRUE);
  PangoRectangle logical;

  pango_layout_set_alignment (layout, align);
  pango_layout_get_extents (layout, NULL, &logical);
  if (draw)
    {
      cairo_save (cr);
      cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
      cairo_move_to (cr, x, y);
      pango_cairo_show_layout (cr, layout);
      cairo_restore (cr);
    }
  g_object_unref (layout);
  return (double) logical.height / PANGO_SCALE;
}

static void
tick_box (cairo_t *cr,
          double   x,
          double   y)
{
  cairo_save (cr);
  cairo_set_source_rgb (cr, black[0], black[1], black[2]);
  cairo_set_line_width (cr, 0.8);
  cairo_rectangle (cr, x, y, BOX, BOX);
  cairo_stroke (cr);
  cairo_restore (cr);
}

static void
rule (cairo_t *cr,
      double   x,
      double   y,
      double   width)
{
  cairo_save (cr);
  cairo_set_source_rgb (cr, grey[0], grey[1], grey[2]);
  cairo_set_line_width (cr, 0.5);
  cairo_move_to (cr, x, y);
  cairo_line_to (cr, x + width, y);
  cairo_stroke (cr);
  cairo_restore (cr);
}

/* --- parts of a form ------------------------------------------------------- */

/* The labels under the boxes of a scale, from @min. */
static const char *
scale_label (CrmSurveyQuestionKind kind,
             int                   value)
{
  if (kind == CRM_SURVEY_QUESTION_CSAT)
    switch (value)
      {
      case 1: return _("Very dissatisfied");
      case 2: return _("Dissatisfied");
      case 3: return _("Neutral");
      case 4: return _("Satisfied");
      case 5: return _("Very satisfied");
      default: break;
      }
  return NULL;
}

/* A row of numbered boxes; the NPS and rating ends say what they mean. */
static double
scale (cairo_t                     *cr,
       gboolean                     draw,
       const CrmSurveyFormQuestion *q,
       double                       x,
       double                       y,
       double                       width)
{
  int min, max;
  double cell, below = 0, h = 0;

  crm_survey_question_kind_scale (q->kind, &min, &max);
  cell = MIN (width / (max - min + 1), q->kind == CRM_SURVEY_QUESTION_NPS ? 46.0 : 96.0);
  for (int v = min; v <= max; v++)
    {
      double cx = x + (v - min) * cell;
      g_autofree char *number = g_strdup_printf ("%d", v);
      const char *label = scale_label (q->kind, v);
      double th;

      th = text (cr, draw, BODY_SIZE, FALSE, black, number, cx, y, cell, PANGO_ALIGN_CENTER);
      if (draw)
        tick_box (cr, cx + (cell - BOX) / 2, y + th + 2);
      h = th + 2 + BOX;
      if (label != NULL)
        below = MAX (below, text (cr, draw, SMALL_SIZE, FALSE, grey, label, cx + 2, y + h + 3, cell - 4,
                                  PANGO_ALIGN_CENTER) + 3);
    }
  h += below;
  if (q->kind == CRM_SURVEY_QUESTION_NPS || q->kind == CRM_SURVEY_QUESTION_RATING)
    {
      /* TRANSLATORS: the low end of the 0–10 "how likely to recommend" scale on a paper form */
      const char *low = q->kind == CRM_SURVEY_QUESTION_NPS ? _("0 = not at all likely") : _("1 = poor");
      /* TRANSLATORS: the high end of the 0–10 scale on a paper form */
      const char *high = q->kind == CRM_SURVEY_QUESTION_NPS ? _("10 = extremely likely") : _("5 = excellent");
      double span = cell * (max - min + 1);
      double lh;

      lh = text (cr, draw, SMALL_SIZE, FALSE, grey, low, x, y + h + 3, span / 2, PANGO_ALIGN_LEFT);
      text (cr, draw, SMALL_SIZE, FALSE, grey, high, x + span / 2, y + h + 3, span / 2, PANGO_ALIGN_RIGHT);
      h += 3 + lh;
    }
  return h;
}

static double
choices (cairo_t                     *cr,
         gboolean                     draw,
         const CrmSurveyFormQuestion *q,
         double                       x,
         double                       y,
         double                       width)
{
  double h;

  h = text (cr, draw, SMALL_SIZE, FALSE, grey,
            q->kind == CRM_SURVEY_QUESTION_MULTI ? _("Tick all that apply.") : _("Tick one."),
            x, y, width, PANGO_ALIGN_LEFT) + 4;
  for (guint o = 0; q->options[o] != NULL; o++)
    {
      double th = text (cr, draw, BODY_SIZE, FALSE, black, q->options[o], x + BOX + 8, y + h, width - BOX - 8,
                        PANGO_ALIGN_LEFT);

      if (draw)
        tick_box (cr, x, y + h + MAX (0, (MIN (th, 16) - BOX) / 2));
      h += MAX (th, BOX) + 5;
    }
  return h;
}

static double
draw_question (cairo_t                     *cr,
               gboolean                     draw,
               const CrmSurveyFormQuestion *q,
               guint                        number,
               double                       x,
               double                       y,
               double                       width)
{
  g_autofree char *heading = g_strdup_printf ("%u. %s%s", number, q->text, q->required ? " *" : "");
  double h = text (cr, draw, QUESTION_SIZE, TRUE, black, heading, x, y, width, PANGO_ALIGN_LEFT) + 8;

  switch (q->kind)
    {
    case CRM_SURVEY_QUESTION_NPS:
    case CRM_SURVEY_QUESTION_CSAT:
    case CRM_SURVEY_QUESTION_RATING:
      h += scale (cr, draw, q, x, y + h, width);
      break;
    case CRM_SURVEY_QUESTION_SINGLE:
    case CRM_SURVEY_QUESTION_MULTI:
      h += choices (cr, draw, q, x + 4, y + h, width - 4);
      break;
    case CRM_SURVEY_QUESTION_TEXT:
    default:
      for (int i = 1; i <= TEXT_LINES; i++)
        if (draw)
          rule (cr, x, y + h + i * LINE_GAP, width);
      h += TEXT_LINES * LINE_GAP + 2;
      break;
    }
  return h + QUESTION_GAP;
}

/* Title, introduction, who the form is for and how to fill it in. */
static double
draw_header (cairo_t    *cr,
             gboolean    draw,
             const CrmSurveyPrint *print,
             const Form *form,
             double      x,
             double      y,
             double      width)
{
  double h = 0, lh;
  g_autofree char *who = NULL;

  h += text (cr, draw, TITLE_SIZE, TRUE, black, print->title, x, y, width, PANGO_ALIGN_LEFT) + 6;
  if (print->description != NULL && *print->description != '\0')
    h += text (cr, draw, BODY_SIZE, FALSE, black, print->description, x, y + h, width, PANGO_ALIGN_LEFT) + 6;
  h += text (cr, draw, SMALL_SIZE, FALSE, grey,
             _("Tick one box per question unless it says otherwise. Questions marked * need an answer."),
             x, y + h, width, PANGO_ALIGN_LEFT) + 10;

  if (form != NULL && form->code != NULL)
    /* TRANSLATORS: on a paper survey form; %s are the customer's name and the code staff type in phone entry */
    who = g_strdup_printf (_("Customer: %s    Code: %s"), form->name != NULL ? form->name : "", form->code);
  else if (form != NULL)
    who = g_strdup_printf (_("Customer: %s"), form->name != NULL ? form->name : "");
  else
    who = g_strdup (_("Customer:"));
  lh = text (cr, draw, BODY_SIZE, FALSE, black, who, x, y + h, width * 0.7, PANGO_ALIGN_LEFT);
  text (cr, draw, BODY_SIZE, FALSE, black, _("Date:"), x + width * 0.72, y + h, width * 0.28, PANGO_ALIGN_LEFT);
  if (draw)
    {
      if (form == NULL)
        rule (cr, x + 60, y + h + lh, width * 0.7 - 64);
      rule (cr, x + width * 0.72 + 34, y + h + lh, width * 0.28 - 34);
    }
  h += lh + 6;
  if (form != NULL && form->link != NULL)
    {
      g_autofree char *online = g_strdup_printf (_("Or answer online: %s"), form->link);

      h += text (cr, draw, SMALL_SIZE, FALSE, grey, online, x, y + h, width, PANGO_ALIGN_LEFT) + 4;
    }
  if (draw)
    rule (cr, x, y + h + 4, width);
  return h + 4 + QUESTION_GAP;
}

/* A later page of a form says whose it is, so loose pages find their way back. */
static double
draw_running_header (cairo_t              *cr,
                     gboolean              draw,
                     const CrmSurveyPrint *print,
                     const Form           *form,
                     double                x,
                     double                y,
                     double                width)
{
  g_autofree char *line = NULL;
  double h;

  if (form != NULL && form->name != NULL)
    line = g_strdup_printf ("%s · %s%s%s", print->title, form->name, form->code ? " · " : "", form->code ? form->code : "");
  else
    line = g_strdup (print->title);
  h = text (cr, draw, SMALL_SIZE, FALSE, grey, line, x, y, width, PANGO_ALIGN_LEFT);
  if (draw)
    rule (cr, x, y + h + 3, width);
  return h + 3 + QUESTION_GAP;
}

/* --- pagination ------------------------------------------------------------ */

static const Form *
form_at (const CrmSurveyPrint *print,
         guint                 index)
{
  return index < print->forms->len ? g_ptr_array_index (print->forms, index) : NULL;
}

guint
crm_survey_print_paginate (CrmSurveyPrint *print)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  double width = PAGE_WIDTH - 2 * MARGIN;
  double top = MARGIN, bottom = PAGE_HEIGHT - MARGIN - FOOTER;
  guint n_forms = MAX (print->forms->len, 1);
  guint page = 0;

  if (print->paginated)
    return print->n_pages;
  g_array_set_size (print->boxes, 0);
  g_array_set_size (print->first_pages, 0);

  /* Measured on an image surface: unhinted text has the same size there
   * as on a PDF one. */
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  cr = cairo_create (surface);
  for (guint f = 0; f < n_forms; f++)
    {
      const Form *form = form_at (print, f);
      CrmSurveyPrintBox box = { f, -1, page, top, 0 };
      double y;

      g_array_append_val (print->first_pages, page);
      box.height = draw_header (cr, FALSE, print, form, MARGIN, top, width);
      g_array_append_val (print->boxes, box);
      y = top + box.height;
      for (guint i = 0; i < print->questions->len; i++)
        {
          CrmSurveyFormQuestion *q = g_ptr_array_index (print->questions, i);
          double h = draw_question (cr, FALSE, q, i + 1, MARGIN, y, width);

          /* The gap after the last question on a page may hang over. */
          if (y + h - QUESTION_GAP > bottom)
            {
              page++;
              y = top + draw_running_header (cr, FALSE, print, form, MARGIN, top, width);
            }
          box = (CrmSurveyPrintBox) { f, (int) i, page, y, h - QUESTION_GAP };
          g_array_append_val (print->boxes, box);
          y += h;
        }
      page++;
    }
  g_array_append_val (print->first_pages, page);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  print->n_pages = page;
  print->paginated = TRUE;
  return page;
}

const CrmSurveyPrintBox *
crm_survey_print_get_boxes (CrmSurveyPrint *print,
                            guint          *n_boxes)
{
  crm_survey_print_paginate (print);
  *n_boxes = print->boxes->len;
  return (const CrmSurveyPrintBox *) print->boxes->data;
}

void
crm_survey_print_render_page (CrmSurveyPrint *print,
                              cairo_t        *cr,
                              guint           page)
{
  double width = PAGE_WIDTH - 2 * MARGIN;
  guint form_index = 0, first, last;
  g_autofree char *footer = NULL;
  const Form *form;

  crm_survey_print_paginate (print);
  if (page >= print->n_pages)
    return;
  while (g_array_index (print->first_pages, guint, form_index + 1) <= page)
    form_index++;
  form = form_at (print, form_index);
  first = g_array_index (print->first_pages, guint, form_index);
  last = g_array_index (print->first_pages, guint, form_index + 1);

  cairo_save (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_rectangle (cr, 0, 0, PAGE_WIDTH, PAGE_HEIGHT);
  cairo_fill (cr);
  cairo_restore (cr);

  if (page > first)
    draw_running_header (cr, TRUE, print, form, MARGIN, MARGIN, width);
  for (guint b = 0; b < print->boxes->len; b++)
    {
      const CrmSurveyPrintBox *box = &g_array_index (print->boxes, CrmSurveyPrintBox, b);

      if (box->page != page)
        continue;
      if (box->question < 0)
        draw_header (cr, TRUE, print, form, MARGIN, box->y, width);
      else
        draw_question (cr, TRUE, g_ptr_array_index (print->questions, box->question), box->question + 1,
                       MARGIN, box->y, width);
    }

  /* TRANSLATORS: the footer of a paper survey form: page %u of %u of this customer's form */
  footer = g_strdup_printf (_("Page %u of %u"), page - first + 1, last - first);
  text (cr, TRUE, SMALL_SIZE, FALSE, grey, print->title, MARGIN, PAGE_HEIGHT - MARGIN - 10, width * 0.7,
        PANGO_ALIGN_LEFT);
  text (cr, TRUE, SMALL_SIZE, FALSE, grey, footer, MARGIN + width * 0.7, PAGE_HEIGHT - MARGIN - 10, width * 0.3,
        PANGO_ALIGN_RIGHT);
}

gboolean
crm_survey_print_write_pdf (CrmSurveyPrint  *print,
                            const char      *path,
                            GError         **error)
{
  guint n = crm_survey_print_paginate (print);
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;

  if (!crm_runtime_reserve_private_file (path, error))
    return FALSE;
  surface = cairo_pdf_surface_create (path, PAGE_WIDTH, PAGE_HEIGHT);
  cr = cairo_create (surface);

  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, print->title);
  for (guint page = 0; page < n; page++)
    {
      crm_survey_print_render_page (print, cr, page);
      cairo_show_page (cr);
    }
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, CRM_REPORT_ERROR, CRM_REPORT_ERROR_FAILED,
                   _("Could not write the forms to “%s”: %s. Check that the folder exists and is writable."),
                   path, cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}
