/* crm-survey-preview.h: the paper form of a survey on screen, and printed through the print dialog */
#pragma once

#include <adwaita.h>

#include "crm-survey-print.h"

G_BEGIN_DECLS

#define CRM_TYPE_SURVEY_PREVIEW (crm_survey_preview_get_type ())
G_DECLARE_FINAL_TYPE (CrmSurveyPreview, crm_survey_preview, CRM, SURVEY_PREVIEW, AdwWindow)

/* Takes @print. */
CrmSurveyPreview *crm_survey_preview_new       (CrmSurveyPrint *print);
guint             crm_survey_preview_get_n_pages (CrmSurveyPreview *self);

/* Opens the print dialog for @print (a reference is kept until done). */
void              crm_survey_preview_print     (GtkWindow      *parent,
                                                CrmSurveyPrint *print);

G_END_DECLS
