/* crm-test-ui.c: shared setup of UI tests */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "crm-runtime.h"
#include "crm-test-ui.h"

void
crm_test_ui_init (int    *argc,
                  char ***argv)
{
  g_test_init (argc, argv, NULL);

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      /* A TAP plan of zero tests with a reason: meson counts it as skipped. */
      printf ("1..0 # SKIP no display: run the UI tests under xvfb-run (./run-tests.sh does)\n");
      exit (0);
    }

  /* Screenshots in the user's language (LANGUAGE=zh_CN …); the tests'
   * own checks read English, the source language. */
  if (g_getenv ("CRM_SCREENSHOT_DIR") != NULL)
    crm_runtime_init ();
  gtk_init ();
  adw_init ();
}

/* Run the main loop until nothing is pending: enough for property
 * notifications, action dispatch and idle callbacks to settle. */
void
crm_test_ui_iterate (void)
{
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
}

static gboolean
on_timeout (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterate until @condition holds; fails the test after 30 s rather than
 * hang (a hang guard, not a speed check: CI machines are loaded). */
void
crm_test_ui_wait_until (gboolean (*condition) (gpointer),
                        gpointer   data)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (30, on_timeout, &timed_out);

  while (!condition (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  g_assert_false (timed_out);
  g_source_remove (id);
}

static gboolean
pointer_is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* Drops the caller's reference to @object and waits until it is finalized:
 * a job a page started may still hold it for a moment after the page went
 * (a thread finishing, its callback not yet run). Fails after 10 s, so a
 * real leak still fails the test. */
void
crm_test_ui_assert_finalized (gpointer object)
{
  gpointer pointer = object;

  g_object_add_weak_pointer (G_OBJECT (object), &pointer);
  g_object_unref (object);
  crm_test_ui_wait_until (pointer_is_null, &pointer);
}

/* The first widget of @type in @widget's tree, @widget included. */
GtkWidget *
crm_test_ui_find_descendant (GtkWidget *widget,
                             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = crm_test_ui_find_descendant (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Returns whether it closed one. */
static gboolean
close_popovers (GtkWidget *widget)
{
  gboolean closed = FALSE;

  if (GTK_IS_POPOVER (widget) && gtk_widget_get_visible (widget))
    {
      gtk_popover_popdown (GTK_POPOVER (widget));
      closed = TRUE;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    closed |= close_popovers (child);
  return closed;
}

/* GTK 4.8 on X11 can deliver a pointer event to a popover destroyed while
 * shown, and then asserts: popovers are closed before their window goes. */
void
crm_test_ui_destroy_window (GtkWindow *window)
{
  /* Only then: letting a page run its idle work first would start jobs
   * that keep it alive past the test's teardown. */
  if (close_popovers (GTK_WIDGET (window)))
    crm_test_ui_iterate ();
  gtk_window_destroy (window);
}

/* With CRM_SCREENSHOT_DIR set, saves @widget's window as NAME.png there,
 * for looking at the UI (not compared with anything). */
void
crm_test_ui_save_screenshot (GtkWidget  *widget,
                             const char *name)
{
  const char *dir = g_getenv ("CRM_SCREENSHOT_DIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  GtkSnapshot *snapshot;
  GskRenderNode *node;
  int width, height;

  if (dir == NULL)
    return;
  /* Let transitions and toasts (~250 ms) finish: a picture, not a test. */
  for (guint i = 0; i < 40; i++)
    {
      crm_test_ui_iterate ();
      g_usleep (10000);
    }
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  paintable = gtk_widget_paintable_new (widget);
  /* A window just shown or changed may not have drawn a frame yet, and
   * then there is nothing to save: give the frame clock a moment. */
  for (guint tries = 0;; tries++)
    {
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, snapshot, width, height);
      node = gtk_snapshot_free_to_node (snapshot);
      if (node != NULL || tries == 200)
        break;
      g_usleep (10000);
      crm_test_ui_iterate ();
    }
  if (node == NULL)
    {
      g_test_message ("%s: the window drew nothing; no screenshot", name);
      return;
    }
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  gsk_render_node_unref (node);
  file = g_strconcat (name, ".png", NULL);
  path = g_build_filename (dir, file, NULL);
  gdk_texture_save_to_png (texture, path);
}
