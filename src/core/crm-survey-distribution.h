/* crm-survey-distribution.h: one-time survey invitations for a segment or a list of contacts, consent and addresses checked */
#pragma once

#include <gio/gio.h>

#include "crm-store.h"

G_BEGIN_DECLS

/* One contact invited. */
typedef struct
{
  char *contact_id;
  char *name;
  char *address;     /* the email address or phone number the channel uses, or NULL */
  char *token;       /* the one-time web-form token: only a digest is stored */
} CrmSurveyInvitee;

typedef struct
{
  GPtrArray *invitees;            /* CrmSurveyInvitee, in the order asked */
  gint64     skipped_no_consent;  /* email or SMS without the contact's consent */
  gint64     skipped_no_address;  /* no email address (email) or phone number (sms, phone) */
  gint64     skipped_unknown;     /* no live contact with that id */
} CrmSurveyDistribution;

/* Called in the thread that distributes, every few contacts. */
typedef void (*CrmSurveyDistributionProgress) (guint    done,
                                               guint    total,
                                               gpointer user_data);

/* The ids of a segment's members (saved or built-in, by name or id), in
 * name order. */
GPtrArray *crm_survey_distribution_segment_members (CrmStore     *store,
                                                    const char   *segment,
                                                    GError      **error);

/* Creates one invitation per contact of @contact_ids for @channel
 * ("email", "sms", "letter" for a printed form, "phone"), all in one
 * transaction: email goes only to contacts with consent_email and an
 * address, SMS only with consent_sms and a phone number, a phone survey
 * needs a number; the others are counted as skipped. A closed survey
 * takes no invitations. Cancelling rolls everything back (G_IO_ERROR_CANCELLED). */
CrmSurveyDistribution *crm_survey_distribute (CrmStore                       *store,
                                              const char                     *survey_id,
                                              GPtrArray                      *contact_ids,
                                              const char                     *channel,
                                              GCancellable                   *cancellable,
                                              CrmSurveyDistributionProgress   progress,
                                              gpointer                        user_data,
                                              GError                        **error);

void  crm_survey_distribution_free   (CrmSurveyDistribution *distribution);

/* The web-form link of @token on @base_url (the sync server): base/s/token. */
char *crm_survey_link                (const char *base_url,
                                      const char *token);

/* name,email,link,contact_id rows with a header, for a mail tool. */
char *crm_survey_distribution_to_csv (const CrmSurveyDistribution *distribution,
                                      const char                  *base_url);

/* The code printed on a customer's paper form, typed in phone entry to
 * find the customer again: the last 12 hex digits of the contact's id
 * (the random part of a UUIDv7), in groups of four. */
char *crm_survey_contact_code        (const char *contact_id);
/* The live contact of a code (spaces, dashes and case ignored), or NULL. */
char *crm_survey_contact_id_for_code (CrmStore   *store,
                                      const char *code,
                                      GError    **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmSurveyDistribution, crm_survey_distribution_free)

G_END_DECLS
