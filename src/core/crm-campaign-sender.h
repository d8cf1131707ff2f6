/* crm-campaign-sender.h: delivers an email campaign through an SMTP relay (libcurl): rate limit, retries with backoff, resumable without double sends */
#pragma once

#include <gio/gio.h>

#include "crm-store.h"

G_BEGIN_DECLS

typedef struct
{
  const char *url;            /* smtp://host:587, or smtps://host:465 for TLS from the start */
  gboolean starttls;          /* require STARTTLS on smtp:// */
  const char *username;       /* NULL: no AUTH */
  const char *password;
  const char *from;           /* the sender's address */
  double messages_per_second; /* 0: as fast as the relay takes them */
  guint max_attempts;         /* tries per member for temporary failures (4xx, dropped connection) */
  guint retry_delay_seconds;  /* first retry after this, doubling each time */
  guint stop_after;           /* stop after this many sends this run (0: no limit) */
  const char *survey_base_url; /* the sync server, which serves {{survey_link}}s; NULL: none */
} CrmSmtpConfig;

void crm_smtp_config_init (CrmSmtpConfig *config);

typedef struct
{
  guint sent;
  guint failed;
  guint retried;
  guint interrupted;          /* cut off by an earlier run's crash: failed, not resent */
  guint pending;              /* left for a later run */
} CrmSendResult;

typedef void (*CrmSendProgress) (const CrmSendResult *so_far, gpointer user_data);

/* Sends the pending members of a launched email campaign, one message each
 * (its variant's subject and body, merge fields filled), and waits for
 * retries that fall due. Each member is marked before its message goes to
 * the relay and settled after, in its own transaction, so after a crash or
 * kill the next run resumes where it stopped, and a member whose message
 * was cut off mid-way is failed ("interrupted") rather than possibly sent
 * twice. Permanent rejections (5xx) fail the member with the relay's
 * reason. A relay that cannot be reached or refuses the login stops the
 * run with an error, leaving the members pending. When no member is
 * pending, the campaign is done.
 *
 * A {{survey_link}} is made for each member in the same transaction that
 * marks them: a one-time invitation to the campaign's survey, on
 * @config's survey_base_url. A message that certainly did not go out
 * takes its invitation back, so only links people may have received
 * exist. */
gboolean crm_campaign_send_email (CrmStore             *store,
                                  const char           *campaign_id,
                                  const CrmSmtpConfig  *config,
                                  GCancellable         *cancellable,
                                  CrmSendProgress       progress,
                                  gpointer              user_data,
                                  CrmSendResult        *out_result,
                                  GError              **error);

/* One message outside a campaign (greetings): TRUE when the relay took
 * it; otherwise the error says why (relay, address, temporary or not). */
gboolean crm_smtp_send_message   (const CrmSmtpConfig  *config,
                                  const char           *to,
                                  const char           *subject,
                                  const char           *body,
                                  const char           *message_id,
                                  GError              **error);

G_END_DECLS
