/* crm-surveys-page.h: the Surveys workspace: survey builder, phone-survey fast entry, results with the NPS chart */
#pragma once

#include <adwaita.h>

#include "crm-context.h"
#include "crm-survey-results.h"

G_BEGIN_DECLS

#define CRM_TYPE_SURVEYS_PAGE (crm_surveys_page_get_type ())
G_DECLARE_FINAL_TYPE (CrmSurveysPage, crm_surveys_page, CRM, SURVEYS_PAGE, GtkWidget)

/* Set once, after construction, by the window that owns the context. */
void              crm_surveys_page_set_context      (CrmSurveysPage *self,
                                                     CrmContext     *context);
/* The survey shown on the right, or NULL. */
const char       *crm_surveys_page_get_survey_id    (CrmSurveysPage *self);
/* Of the shown survey; NULL when none is shown. */
CrmSurveyResults *crm_surveys_page_get_results      (CrmSurveysPage *self);
/* Phone entry: the question being answered (0-based) and its answer as shown. */
guint             crm_surveys_page_get_entry_index  (CrmSurveysPage *self);
const char       *crm_surveys_page_get_entry_answer (CrmSurveysPage *self);

/* The web-form link surveys.copy-link made last, or NULL. */
const char       *crm_surveys_page_get_last_link    (CrmSurveysPage *self);

/* The preview or send dialog the page opened last, while it is open. */
GtkWindow        *crm_surveys_page_get_last_dialog (CrmSurveysPage *self);

G_END_DECLS
