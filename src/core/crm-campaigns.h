/* crm-campaigns.h: campaign content per segment variant, merge fields, launch (member freeze), tracking and attribution */
#pragma once

#include <glib.h>

#include "crm-campaign.h"
#include "crm-store.h"

G_BEGIN_DECLS

/* A campaign's `templates` column:
 *
 *   {"variants": [{"segment": "builtin:first_time", "subject": "欢迎，{{name}}",
 *                  "body": "…{{last_product}}…"},
 *                 {"segment": "SEGMENT-UUID", "subject": "…", "body": "…"}],
 *    "fields": {"offer": "满 200 减 30"},
 *    "survey": "SURVEY-UUID"}
 *
 * A contact in several variants' segments gets the first. Merge fields:
 * {{name}}, {{title}}, {{city}}, {{last_product}},
 * {{days_since_last_purchase}}, {{survey_link}} and the custom "fields";
 * {{field|text}} uses text when the contact has no value (otherwise it is
 * left empty). {{survey_link}} is the member's one-time web-form link to
 * "survey", made as each email is sent (email campaigns only). */

typedef struct
{
  char *segment;       /* segment id or built-in key */
  char *subject;
  char *body;
} CrmCampaignVariant;

void       crm_campaign_variant_free     (CrmCampaignVariant *variant);

/* The variants of @templates_json, validated (segments are not looked up
 * here); the error names the place: "variants[1].body: unknown merge field
 * {{offer2}}". @out_fields (optional) receives the custom fields. */
GPtrArray *crm_campaign_parse_templates  (const char          *templates_json,
                                          GHashTable         **out_fields,
                                          GError             **error);

/* The "survey" of @templates_json, or NULL. */
char      *crm_campaign_templates_dup_survey (const char      *templates_json);

/* Whether @variant's subject or body has {{@field}}; only "survey_link"
 * is asked for. */
gboolean   crm_campaign_variant_uses_field (const CrmCampaignVariant *variant,
                                            const char               *field);

/* The survey @variants' {{survey_link}} opens, from @templates_json: NULL
 * without an error when no variant has one; an error when the survey is
 * gone (NOT_FOUND) or closed (INVALID). */
char      *crm_campaign_linked_survey    (CrmStore                 *store,
                                          const char               *templates_json,
                                          GPtrArray                *variants,
                                          GError                  **error);

/* Replaces the merge fields of @template with @values (name → value; a
 * missing or NULL value renders as the fallback or as nothing). */
char      *crm_campaign_render_text      (const char          *template_text,
                                          GHashTable          *values);

/* The merge values of one contact as of @reference_date (NULL: today),
 * plus the campaign's custom fields. */
GHashTable *crm_campaign_contact_values  (CrmStore            *store,
                                          const char          *contact_id,
                                          GHashTable          *custom_fields,
                                          const char          *reference_date,
                                          GError             **error);

/* Subject and body of @campaign for @contact_id, from the variant whose
 * segment the contact is in (the first variant when none). */
gboolean   crm_campaign_preview          (CrmStore            *store,
                                          CrmCampaign         *campaign,
                                          const char          *contact_id,
                                          const char          *reference_date,
                                          char               **out_subject,
                                          char               **out_body,
                                          GError             **error);

typedef struct
{
  gint64 members;            /* frozen, pending */
  gint64 excluded_no_consent;
  gint64 excluded_no_address;
} CrmCampaignLaunch;

/* Freezes the members of a draft campaign in one transaction: everyone in
 * a variant's segment who has the channel's consent (email, SMS) and
 * address (email, phone number, postal address), status pending; the
 * others are counted. The campaign becomes "running". */
gboolean   crm_campaign_launch           (CrmStore            *store,
                                          const char          *campaign_id,
                                          const char          *reference_date,
                                          CrmCampaignLaunch   *out_launch,
                                          GError             **error);

/* "2026-12-24 09:00" (local time) or an ISO 8601 date and time, as a UTC
 * timestamp ("2026-12-24T01:00:00Z"). */
char      *crm_campaign_parse_when       (const char          *text,
                                          GError             **error);

/* Schedules a draft's launch at @at (a UTC timestamp in the future; the
 * content must be launchable), or with @at NULL makes it a draft again. */
gboolean   crm_campaign_schedule         (CrmStore            *store,
                                          const char          *campaign_id,
                                          const char          *at,
                                          GError             **error);

/* Launches every scheduled campaign due at @now (NULL: now), each in its
 * own transaction, and returns their ids. One that cannot launch (its
 * segment was deleted, its survey closed …) becomes a draft again, and
 * "NAME: why" goes to @out_failures (optional). */
GPtrArray *crm_campaign_launch_due       (CrmStore            *store,
                                          const char          *now,
                                          GPtrArray          **out_failures,
                                          GError             **error);

/* What launching content @templates_json through @channel would do now,
 * without freezing anything: who would be members (their contact ids in
 * @out_contact_ids, optional, in segment order) and who would be left out
 * and why. */
gboolean   crm_campaign_check_audience   (CrmStore            *store,
                                          const char          *channel,
                                          const char          *templates_json,
                                          const char          *reference_date,
                                          CrmCampaignLaunch   *out_check,
                                          GPtrArray          **out_contact_ids,
                                          GError             **error);

/* Marks a member opened, responded or unsubscribed (manual entry or
 * import), with the time (NULL: now). */
gboolean   crm_campaign_record_response  (CrmStore            *store,
                                          const char          *campaign_id,
                                          const char          *contact_id,
                                          const char          *status,
                                          const char          *at,
                                          GError             **error);

/* Members sent a message who answered the campaign's survey after it
 * become responded (with the answer's time). Those who bought within the
 * attribution window after it (DESIGN.md §6: after sent_at, up to
 * attribution_days × 24 h) become converted, with the first such
 * purchase's time. Returns how many converted. */
gboolean   crm_campaign_attribute_conversions (CrmStore       *store,
                                               const char     *campaign_id,
                                               gint64         *out_converted,
                                               GError        **error);

typedef struct
{
  char *variant;             /* segment id, NULL for the whole campaign */
  gint64 members;
  gint64 pending;
  gint64 sent;               /* delivered: sent, opened, responded, converted, unsubscribed */
  gint64 failed;
  gint64 responded;
  gint64 converted;
  gint64 revenue;            /* minor units, purchases within the window */
} CrmCampaignStats;

void       crm_campaign_stats_free       (CrmCampaignStats    *stats);

/* One row per variant, then the total (variant NULL). */
GPtrArray *crm_campaign_get_stats        (CrmStore            *store,
                                          const char          *campaign_id,
                                          GError             **error);

/* Writes the SMS or call list of a launched campaign as CSV (name, phone,
 * message, contact id) into @out; with @mark_sent the pending members are
 * marked sent (handed to the provider or the call team). */
gboolean   crm_campaign_export_list      (CrmStore            *store,
                                          const char          *campaign_id,
                                          gboolean             mark_sent,
                                          GString             *out,
                                          gint64              *out_rows,
                                          GError             **error);

/* Every live campaign (CrmCampaign), newest first. */
GPtrArray *crm_campaign_list_all         (CrmStore            *store,
                                          GError             **error);
/* By id or name; NOT_FOUND otherwise. */
CrmCampaign *crm_campaign_find           (CrmStore            *store,
                                          const char          *name_or_id,
                                          GError             **error);

/* One letter of a letter campaign's mail merge: the member's name, postal
 * address (as frozen at launch) and their variant's text, merged. */
typedef struct
{
  char *contact_id;
  char *name;
  char *address;
  char *subject;
  char *body;
} CrmMailPiece;

void       crm_mail_piece_free           (CrmMailPiece        *piece);

/* The letters of a launched letter campaign (CrmMailPiece), by name: every
 * member but the failed and unsubscribed ones. Other channels are an
 * error. */
GPtrArray *crm_campaign_dup_mail_merge   (CrmStore            *store,
                                          const char          *campaign_id,
                                          GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmMailPiece, crm_mail_piece_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmCampaignVariant, crm_campaign_variant_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmCampaignStats, crm_campaign_stats_free)

G_END_DECLS
