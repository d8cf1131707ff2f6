/* crm-survey-print.h: a survey as A4 paper forms, one per customer, drawn with Cairo and Pango */
#pragma once

#include <cairo.h>
#include <gio/gio.h>

#include "crm-store.h"
#include "crm-survey-distribution.h"

G_BEGIN_DECLS

typedef struct _CrmSurveyPrint CrmSurveyPrint;

/* Where a part of a form landed, in points from the page's top-left
 * corner: the form's header (question -1) or one question, never split. */
typedef struct
{
  guint  form;       /* 0-based, in the order added */
  int    question;   /* index into the questions, -1 for the header */
  guint  page;       /* 0-based, over the whole document */
  double y;
  double height;
} CrmSurveyPrintBox;

/* @questions: CrmSurveyFormQuestion (crm-survey-form.h), in order; the
 * print keeps a reference. @description may be NULL. */
CrmSurveyPrint *crm_survey_print_new          (const char     *title,
                                               const char     *description,
                                               GPtrArray      *questions);
/* The forms of a stored survey for @contact_ids (NULL: one blank form).
 * With @base_url, each customer gets a one-time web-form link too (a
 * "letter" invitation). Unknown or deleted contacts are left out;
 * @out_skipped (nullable) says how many. */
CrmSurveyPrint *crm_survey_print_new_for_survey (CrmStore       *store,
                                                 const char     *survey_id,
                                                 GPtrArray      *contact_ids,
                                                 const char     *base_url,
                                                 GCancellable   *cancellable,
                                                 CrmSurveyDistributionProgress progress,
                                                 gpointer        user_data,
                                                 guint          *out_skipped,
                                                 GError        **error);
void            crm_survey_print_free         (CrmSurveyPrint *print);

/* One form for a customer: the name and code in its header let staff
 * enter the answers later (phone entry takes the code); @link (nullable)
 * is the customer's own web-form link. Without any, the print is one
 * blank form with lines for the name. */
void            crm_survey_print_add_form     (CrmSurveyPrint *print,
                                               const char     *name,
                                               const char     *code,
                                               const char     *link);

double          crm_survey_print_get_page_width  (CrmSurveyPrint *print);
double          crm_survey_print_get_page_height (CrmSurveyPrint *print);

/* Lays the forms out: every form starts on a new page, a question moves
 * to the next page rather than be cut. Returns the number of pages. */
guint                    crm_survey_print_paginate  (CrmSurveyPrint *print);
const CrmSurveyPrintBox *crm_survey_print_get_boxes (CrmSurveyPrint *print,
                                                     guint          *n_boxes);
/* The content area every box stays within. */
void                     crm_survey_print_get_content_area (CrmSurveyPrint *print,
                                                            double         *top,
                                                            double         *bottom);

/* Draws page @page (0-based) on @cr, in points from the top-left corner. */
void            crm_survey_print_render_page  (CrmSurveyPrint *print,
                                               cairo_t        *cr,
                                               guint           page);
gboolean        crm_survey_print_write_pdf    (CrmSurveyPrint *print,
                                               const char     *path,
                                               GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmSurveyPrint, crm_survey_print_free)

G_END_DECLS
