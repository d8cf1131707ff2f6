/* crm-pull-pipeline.c: pulled pages fetched and prepared ahead of the thread that writes them
 *
 * A pull has three stages: the server builds a page and it is parsed
 * (the fetching thread), what storing its rows needs is worked out
 * (CrmPulledPage, the preparing thread), and it is written (the caller,
 * the store's one writer). Each runs on its own, up to PAGES_AHEAD pages
 * ahead of the writer, so the server builds a page while the one before
 * is prepared and the one before that written.
 *
 * The next page's address is read off the page before: the fetching
 * thread stops at a page that has no next (the end, or conflicts the
 * writer must acknowledge first), at an error, or after max_pages. The
 * writer takes pages by address; a page it did not expect stops the
 * pipeline, and the writer asks for it itself. */

#include "config.h"

#include "crm-pull-pipeline.h"
#include "crm-sync-protocol.h"

/* Pages fetched and not yet taken: enough to keep every stage busy, few
 * enough that a stopped pull wasted little. */
#define PAGES_AHEAD 2

typedef struct
{
  char *path;
  JsonObject *body;
  CrmPulledPage *page;
  GError *error;
} Item;

struct _CrmPullPipeline
{
  CrmPullFetchFunc fetch;
  CrmPullPathFunc path;
  gpointer user_data;
  gint64 cursor;
  guint max_pages;

  GCancellable *cancellable;
  GCancellable *run_cancellable;   /* the pull's: cancels this one too */
  gulong run_cancelled_id;
  GAsyncQueue *fetched;    /* Item, to prepare; the end is an Item without path */
  GAsyncQueue *ready;      /* Item, prepared; the end likewise */
  GAsyncQueue *spent;      /* CrmPulledPage, to free */
  GThread *fetching;
  GThread *preparing;

  GMutex mutex;
  GCond cond;
  guint ahead;             /* pages fetched and not taken */
  gboolean stopping;
  gboolean ended;          /* the writer took the end */
};

static void
item_free (Item *item)
{
  g_free (item->path);
  g_clear_pointer (&item->body, json_object_unref);
  g_clear_pointer (&item->page, crm_pulled_page_free);
  g_clear_error (&item->error);
  g_free (item);
}

/**
 * crm_pull_pipeline_next_cursor:
 * @body: the answer to the page at @cursor
 *
 * Whether there is a page after this one that can be asked for before
 * the writer takes this one, and where it starts: not after the last,
 * nor after one that carried conflicts (acknowledging them changes the
 * next address).
 */
gboolean
crm_pull_pipeline_next_cursor (JsonObject *body,
                               gint64      cursor,
                               gint64     *out_next)
{
  JsonNode *conflicts = json_object_get_member (body, "conflicts");
  gint64 next = json_object_get_int_member_with_default (body, "cursor", cursor);

  if (conflicts != NULL && JSON_NODE_HOLDS_ARRAY (conflicts) &&
      json_array_get_length (json_node_get_array (conflicts)) > 0)
    return FALSE;
  *out_next = next;
  return json_object_get_boolean_member_with_default (body, "more", FALSE) && next > cursor;
}

static gpointer
fetching_thread (gpointer data)
{
  CrmPullPipeline *self = data;
  gint64 cursor = self->cursor;

  for (guint n = 0; self->max_pages == 0 || n < self->max_pages; n++)
    {
      Item *item = g_new0 (Item, 1);
      gint64 next;
      gboolean go_on;

      g_mutex_lock (&self->mutex);
      while (self->ahead >= PAGES_AHEAD && !self->stopping)
        g_cond_wait (&self->cond, &self->mutex);
      self->ahead++;
      g_mutex_unlock (&self->mutex);

      item->path = self->path (cursor, self->user_data);
      if (g_cancellable_is_cancelled (self->cancellable) ||
          !self->fetch (item->path, self->cancellable, &item->body, &item->error, self->user_data))
        {
          if (item->error == NULL)
            g_cancellable_set_error_if_cancelled (self->cancellable, &item->error);
          g_async_queue_push (self->fetched, item);
          break;
        }
      go_on = crm_pull_pipeline_next_cursor (item->body, cursor, &next);
      g_async_queue_push (self->fetched, item);
      if (!go_on)
        break;
      cursor = next;
    }
  g_async_queue_push (self->fetched, g_new0 (Item, 1));
  return NULL;
}

static void
free_spent (CrmPullPipeline *self)
{
  CrmPulledPage *spent;

  while ((spent = g_async_queue_try_pop (self->spent)) != NULL)
    crm_pulled_page_free (spent);
}

static gpointer
preparing_thread (gpointer data)
{
  CrmPullPipeline *self = data;

  for (;;)
    {
      Item *item = g_async_queue_pop (self->fetched);
      gboolean end = item->path == NULL;

      if (item->body != NULL)
        {
          item->page = crm_pulled_page_new (item->body);
          g_clear_pointer (&item->body, json_object_unref);
        }
      g_async_queue_push (self->ready, item);
      /* Freeing a page's parsed tree takes a good part of the time to
       * parse one: it is done here, off the writer's path. */
      free_spent (self);
      if (end)
        break;
    }
  return NULL;
}

static void
on_run_cancelled (GCancellable *run_cancellable,
                  gpointer      cancellable)
{
  g_cancellable_cancel (cancellable);
}

/**
 * crm_pull_pipeline_start:
 * @cursor: where the first page to fetch starts
 * @max_pages: the pages to fetch at most; 0 for all
 * @cancellable: (nullable): the pull's; cancelling it stops the fetch
 *   under way, so a writer waiting for it is answered at once
 *
 * Starts fetching the pages from @cursor on.
 */
CrmPullPipeline *
crm_pull_pipeline_start (gint64            cursor,
                         guint             max_pages,
                         GCancellable     *cancellable,
                         CrmPullFetchFunc  fetch,
                         CrmPullPathFunc   path,
                         gpointer          user_data)
{
  CrmPullPipeline *self = g_new0 (CrmPullPipeline, 1);

  self->fetch = fetch;
  self->path = path;
  self->user_data = user_data;
  self->cursor = cursor;
  self->max_pages = max_pages;
  self->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      self->run_cancellable = g_object_ref (cancellable);
      self->run_cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_run_cancelled),
                                                      g_object_ref (self->cancellable), g_object_unref);
    }
  self->fetched = g_async_queue_new ();
  self->ready = g_async_queue_new ();
  self->spent = g_async_queue_new ();
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  self->fetching = g_thread_new ("crm-pull-fetch", fetching_thread, self);
  self->preparing = g_thread_new ("crm-pull-prepare", preparing_thread, self);
  return self;
}

/**
 * crm_pull_pipeline_take:
 *
 * Waits for the next page and returns it if it is the one at @path and
 * it came; NULL otherwise (the pipeline ended, failed, or went another
 * way): the caller then asks for the page itself, the usual way, after
 * freeing the pipeline.
 */
CrmPulledPage *
crm_pull_pipeline_take (CrmPullPipeline *self,
                        const char      *path)
{
  Item *item;
  CrmPulledPage *page = NULL;

  if (self->ended)
    return NULL;
  item = g_async_queue_pop (self->ready);
  if (item->path != NULL)
    {
      g_mutex_lock (&self->mutex);
      self->ahead--;
      g_cond_signal (&self->cond);
      g_mutex_unlock (&self->mutex);
    }

  if (item->path == NULL)
    self->ended = TRUE;
  else if (item->page != NULL && g_str_equal (item->path, path))
    page = g_steal_pointer (&item->page);
  else
    self->ended = TRUE;
  item_free (item);
  return page;
}

/* Frees @spent in the pipeline's threads. */
void
crm_pull_pipeline_recycle (CrmPullPipeline *self,
                           CrmPulledPage   *spent)
{
  if (spent != NULL)
    g_async_queue_push (self->spent, spent);
}

/* Stops what is still being fetched and waits for the threads. */
void
crm_pull_pipeline_free (CrmPullPipeline *self)
{
  Item *item;

  if (self == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_mutex_lock (&self->mutex);
  self->stopping = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->mutex);
  g_thread_join (self->fetching);
  g_thread_join (self->preparing);

  while ((item = g_async_queue_try_pop (self->ready)) != NULL)
    item_free (item);
  free_spent (self);
  g_async_queue_unref (self->fetched);
  g_async_queue_unref (self->ready);
  g_async_queue_unref (self->spent);
  if (self->run_cancellable != NULL)
    {
      g_cancellable_disconnect (self->run_cancellable, self->run_cancelled_id);
      g_object_unref (self->run_cancellable);
    }
  g_object_unref (self->cancellable);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
  g_free (self);
}
