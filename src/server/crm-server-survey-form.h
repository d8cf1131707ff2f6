/* crm-server-survey-form.h: /s/<token>, the plain HTML survey form customers answer in a browser */
#pragma once

#include <libsoup/soup.h>

#include "crm-server-backend.h"

G_BEGIN_DECLS

/* Largest form body accepted, in bytes: the longest text answers of a
 * long survey fit, a flood does not. */
#define CRM_SURVEY_FORM_MAX_BODY (64 * 1024)

typedef struct _CrmServerSurveyForm CrmServerSurveyForm;

/* Serves GET and POST /s/<token> on @soup from @backend. The handler's
 * state (returned) lives as long as @soup's handler; @backend must
 * outlive @soup. */
CrmServerSurveyForm *crm_server_survey_form_install (SoupServer       *soup,
                                                     CrmServerBackend *backend);

/* Who follows up a detractor's web answer (NPS ≤ 6, CSAT ≤ 2): with
 * @enabled, a complaint assigned to @assignee_id, or to the customer's
 * owner when it is NULL (the default); without, none. */
void crm_server_survey_form_set_follow_up (CrmServerSurveyForm *form,
                                           gboolean             enabled,
                                           const char          *assignee_id);

/* "zh_CN" when the request prefers Chinese (Accept-Language or ?lang=),
 * otherwise "en". */
const char *crm_server_survey_form_pick_language (const char *accept_language,
                                                  const char *lang_query);

/* An application/x-www-form-urlencoded body into name → GPtrArray of
 * values (a checkbox group repeats its name); NULL when it is malformed
 * (no '=', bad escapes, text that is not UTF-8, NUL bytes, too many fields). */
GHashTable *crm_server_survey_form_decode (const char *body,
                                           gsize       length);

G_END_DECLS
