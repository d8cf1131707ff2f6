/* crm-greetings.h: birthday and holiday greetings (New Year, Spring Festival, Lantern, Dragon Boat, Mid-Autumn), recorded as activities so nobody is greeted twice */
#pragma once

#include <glib.h>

#include "crm-campaign-sender.h"
#include "crm-store.h"

G_BEGIN_DECLS

/* The lunar holidays' Gregorian dates are a table for 2020–2035 (the
 * published calendar; see crm-greetings.c); outside it they return FALSE. */
gboolean     crm_greetings_holiday_date  (const char  *occasion,
                                          int          year,
                                          GDate       *out_date);
/* "new_year", "spring_festival", "lantern", "dragon_boat", "mid_autumn" or
 * NULL for @date ("YYYY-MM-DD"). */
const char  *crm_greetings_holiday_on    (const char  *date);
/* Translated name of an occasion (also "birthday"). */
const char  *crm_greetings_occasion_name (const char  *occasion);

typedef struct
{
  char *contact_id;
  char *name;
  char *occasion;     /* "birthday", "spring_festival" … */
  char *key;          /* occasion:year, the activity's greeting_key */
  char *address;      /* email address or phone number */
  char *subject;
  char *body;
} CrmGreeting;

void       crm_greeting_free   (CrmGreeting *greeting);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmGreeting, crm_greeting_free)

/* Everyone to greet on @date (NULL: today) through @channel ("email" or
 * "sms"): birthdays (29 February ones on the 28th in other years) and, on
 * a holiday, every contact; only those with the channel's consent and an
 * address, and not greeted for that occasion this year. @templates_json
 * (optional) overrides the default texts: {"birthday": {"subject": …,
 * "body": …}, "mid_autumn": {…}} with the campaign merge fields. */
GPtrArray *crm_greetings_due   (CrmStore    *store,
                                const char  *date,
                                const char  *channel,
                                const char  *templates_json,
                                GError     **error);

/* Records a sent greeting as an activity (email, or a note for SMS) with
 * its greeting_key; a second one for the same contact and key is refused. */
gboolean   crm_greetings_record (CrmStore          *store,
                                 const CrmGreeting *greeting,
                                 const char        *channel,
                                 GError           **error);

/* Emails everyone due on @date (NULL: today) through @config and records
 * each right after the relay took it, so a second run the same day (or a
 * crash mid-way) greets nobody twice. A greeting the relay refuses is
 * counted in @out_failed and tried again next run; a relay that cannot be
 * reached stops the run with an error (what was sent stays recorded). */
gboolean   crm_greetings_send_due (CrmStore            *store,
                                   const char          *date,
                                   const CrmSmtpConfig *config,
                                   const char          *templates_json,
                                   GCancellable        *cancellable,
                                   guint               *out_sent,
                                   guint               *out_failed,
                                   GError             **error);

G_END_DECLS
