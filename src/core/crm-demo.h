/* crm-demo.h: a deterministic generator of realistic demo customers, sales and service history */
#pragma once

#include <gio/gio.h>

#include "crm-store.h"

G_BEGIN_DECLS

/**
 * CrmDemoProgressFunc:
 * @done: contacts written so far
 * @total: contacts to write
 * @user_data: #CrmDemoOptions.progress_data
 *
 * Called from the generating thread after each batch, and once more with
 * @done == @total before the search index and the derived fields are
 * rebuilt (which takes a while for a million contacts).
 */
typedef void (*CrmDemoProgressFunc) (guint64  done,
                                     guint64  total,
                                     gpointer user_data);

/**
 * CrmDemoStats:
 * What was written. Organizations count among the contacts.
 */
typedef struct
{
  guint64 contacts;
  guint64 organizations;
  guint64 purchases;
  guint64 activities;
  guint64 complaints;
  guint64 deals;
  guint64 stage_changes;
  guint64 survey_responses;
  guint64 users;
} CrmDemoStats;

/**
 * CrmDemoOptions:
 * @n_contacts: how many contacts (people and organizations) to create
 * @seed: the same seed, count and reference date give the same data
 * @reference_date: "YYYY-MM-DD", the day the data ends ("today" of the
 *   demo); NULL for today
 * @progress: (nullable): called after each batch
 * @progress_data: passed to @progress
 * @cancellable: (nullable): stops between batches
 * @stats: (nullable): receives what was written, also on failure
 * @batch_contacts: contacts per transaction, 0 for the default (20 000);
 *   bigger batches write faster, smaller ones lose less to a cancel
 *
 * Initialize with crm_demo_options_init().
 */
typedef struct
{
  guint64              n_contacts;
  guint64              seed;
  const char          *reference_date;
  CrmDemoProgressFunc  progress;
  gpointer             progress_data;
  GCancellable        *cancellable;
  CrmDemoStats        *stats;
  guint                batch_contacts;
} CrmDemoOptions;

void     crm_demo_options_init (CrmDemoOptions        *opts);

/* Writes demo data into @store: users, teams, two sales pipelines, a
 * satisfaction survey, then @n_contacts contacts with three years of
 * purchases, activities, complaints, deals and survey responses, in
 * batches of whole contacts (each in one transaction). Then it rebuilds
 * the search index and recomputes lifecycle and RFM.
 *
 * Demo rows are local: they are not written to the outbox (they would be
 * millions of mutations to push) nor to the audit log.
 *
 * Cancelling (G_IO_ERROR_CANCELLED) keeps the batches already committed,
 * each contact complete with its history, and leaves the search index and
 * derived fields consistent with them.
 *
 * When the caller has deferred the search index already (a bigger bulk
 * job), the generator leaves both the index and the derived fields to the
 * caller's crm_store_recompute_derived(). */
gboolean crm_demo_generate     (CrmStore              *store,
                                const CrmDemoOptions  *opts,
                                GError               **error);

G_END_DECLS
