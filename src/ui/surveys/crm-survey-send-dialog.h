/* crm-survey-send-dialog.h: sending a survey to a segment: email links as a CSV for a mail tool, or printed forms, with progress and Cancel */
#pragma once

#include <adwaita.h>

#include "crm-context.h"

G_BEGIN_DECLS

#define CRM_TYPE_SURVEY_SEND_DIALOG (crm_survey_send_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CrmSurveySendDialog, crm_survey_send_dialog, CRM, SURVEY_SEND_DIALOG, AdwWindow)

CrmSurveySendDialog *crm_survey_send_dialog_new       (CrmContext          *context,
                                                       const char          *survey_id);
/* For customers chosen elsewhere (the Contacts list's selection): the
 * dialog asks which open survey, and sends to @contact_ids. */
CrmSurveySendDialog *crm_survey_send_dialog_new_for_contacts (CrmContext *context,
                                                              GPtrArray  *contact_ids);
/* Sends to @segment (NULL: the contacts the dialog was made for) (id or name) by @channel ("email": a CSV of links,
 * "letter": a PDF of forms) into @path, in a thread; what the Send button
 * does after the file chooser. FALSE (and the reason shown) when it cannot
 * start. */
gboolean             crm_survey_send_dialog_start     (CrmSurveySendDialog *self,
                                                       const char          *segment,
                                                       const char          *channel,
                                                       const char          *path);
void                 crm_survey_send_dialog_cancel    (CrmSurveySendDialog *self);
/* The survey a send goes to: the one given, or the one chosen. */
const char          *crm_survey_send_dialog_get_survey_id (CrmSurveySendDialog *self);
/* Whether a send runs; and what the last one said when it ended. */
gboolean             crm_survey_send_dialog_is_busy   (CrmSurveySendDialog *self);
const char          *crm_survey_send_dialog_get_summary (CrmSurveySendDialog *self);

G_END_DECLS
