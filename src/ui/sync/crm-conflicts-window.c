/* crm-conflicts-window.c: sync conflicts with both values, who and when; keep mine / keep theirs, restore a deleted row */

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "crm-conflicts-window.h"
#include "crm-contact-labels.h"
#include "crm-json.h"
#include "crm-sync-engine.h"

struct _CrmConflictsWindow
{
  AdwWindow        parent_instance;

  CrmContext      *context;
  GPtrArray       *conflicts;   /* CrmSyncConflict, as listed */

  /* Template widgets */
  AdwToastOverlay *toast_overlay;
  GtkStack        *stack;
  GtkListBox      *list;
};

G_DEFINE_FINAL_TYPE (CrmConflictsWindow, crm_conflicts_window, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_CONTEXT,
  PROP_N_CONFLICTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* An edit kept from a deleted row, as "Notes: …" lines in the field
 * names people read. */
static char *
describe_edit (const char *json)
{
  g_autoptr(JsonNode) node = json ? json_from_string (json, NULL) : NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GList) fields = NULL;
  JsonObject *object;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return crm_sync_conflict_display_value (json);
  object = json_node_get_object (node);
  fields = json_object_get_members (object);
  for (GList *l = fields; l != NULL; l = l->next)
    {
      const char *field = l->data;
      JsonNode *member = json_object_get_member (object, field);
      g_autofree char *member_json = crm_json_to_string (member);
      g_autofree char *value = crm_sync_conflict_display_value (member_json);

      if (text->len > 0)
        g_string_append_c (text, '\n');
      /* Translators: a field's name, then its value. */
      g_string_append_printf (text, _("%s: %s"), crm_field_label (NULL, field), value);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* "2026-11-23 16:20 on this computer", or "… by 王芳" when the server
 * told us who made the change, from a clock value. */
static char *
describe_clock (CrmConflictsWindow *self,
                const char         *hlc,
                const char         *author)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *when = NULL;
  g_autofree char *device = NULL;
  const char *client_id = crm_store_get_client_id (crm_context_get_store (self->context));

  if (hlc == NULL || strlen (hlc) < 30)
    return g_strdup (_("time unknown"));
  {
    g_autofree char *stamp = g_strndup (hlc, 24);

    utc = g_date_time_new_from_iso8601 (stamp, NULL);
  }
  if (utc != NULL)
    {
      local = g_date_time_to_local (utc);
      when = g_date_time_format (local, "%Y-%m-%d %H:%M");
    }
  else
    when = g_strndup (hlc, 16);

  device = crm_sync_hlc_client_id (hlc);
  if (g_strcmp0 (device, client_id) == 0)
    /* Translators: a date and time, then where the change was made. */
    return g_strdup_printf (_("%s on this computer"), when);
  if (author != NULL && *author != '\0')
    /* Translators: a date and time, then the name of the person who made the change. */
    return g_strdup_printf (_("%s by %s"), when, author);
  g_clear_pointer (&device, g_free);
  device = crm_sync_hlc_device_label (hlc);
  /* Translators: a date and time, then the short id of the other computer. */
  return g_strdup_printf (_("%s on computer %s"), when, device ? device : "?");
}

static GtkWidget *
value_line (CrmConflictsWindow *self,
            const char         *who,
            const char         *json,
            const char         *display,
            const char         *hlc,
            const char         *author,
            gboolean            kept)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *label = gtk_label_new (who);
  GtkWidget *text_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  g_autofree char *value = display != NULL ? g_strdup (display) : crm_sync_conflict_display_value (json);
  g_autofree char *when = describe_clock (self, hlc, author);
  GtkWidget *value_label = gtk_label_new (value);
  GtkWidget *when_label = gtk_label_new (when);

  gtk_widget_add_css_class (label, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_width_chars (GTK_LABEL (label), 6);
  gtk_widget_set_valign (label, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (box), label);

  gtk_label_set_xalign (GTK_LABEL (value_label), 0);
  gtk_label_set_wrap (GTK_LABEL (value_label), TRUE);
  gtk_label_set_selectable (GTK_LABEL (value_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (when_label), 0);
  gtk_widget_add_css_class (when_label, "caption");
  gtk_widget_add_css_class (when_label, "dim-label");
  gtk_box_append (GTK_BOX (text_box), value_label);
  gtk_box_append (GTK_BOX (text_box), when_label);
  gtk_widget_set_hexpand (text_box, TRUE);
  gtk_box_append (GTK_BOX (box), text_box);

  if (kept)
    {
      GtkWidget *badge = gtk_label_new (_("kept"));

      gtk_widget_add_css_class (badge, "caption-heading");
      gtk_widget_add_css_class (badge, "success");
      gtk_widget_set_valign (badge, GTK_ALIGN_START);
      gtk_box_append (GTK_BOX (box), badge);
    }
  return box;
}

static GtkWidget *
resolve_button (CrmSyncConflict *conflict,
                const char      *label,
                gboolean         keep_mine,
                gboolean         suggested)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "conflicts.resolve");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "(xb)", conflict->id, keep_mine);
  if (suggested)
    gtk_widget_add_css_class (button, "suggested-action");
  return button;
}

static GtkWidget *
create_row (CrmConflictsWindow *self,
            CrmSyncConflict    *conflict)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  g_autofree char *heading = NULL;
  const char *what = conflict->row_label ? conflict->row_label : conflict->row_id;

  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);

  if (conflict->delete_edit && conflict->remote_by != NULL)
    /* Translators: a record's name (e.g. a contact's), then who deleted it. */
    heading = g_strdup_printf (_("%s — deleted by %s while edited here"), what, conflict->remote_by);
  else if (conflict->delete_edit)
    /* Translators: %s names the record, e.g. a contact's name. */
    heading = g_strdup_printf (_("%s — deleted on another computer while edited here"), what);
  else
    /* Translators: a record's name, then the field both computers changed. */
    heading = g_strdup_printf (_("%s — %s"), what, crm_field_label (conflict->table, conflict->field));
  gtk_label_set_label (GTK_LABEL (title), heading);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_widget_add_css_class (title, "heading");
  gtk_box_append (GTK_BOX (box), title);

  if (conflict->delete_edit)
    {
      g_autofree char *edit = describe_edit (conflict->local_value);

      gtk_box_append (GTK_BOX (box),
                      value_line (self, _("Mine"), NULL, edit, conflict->local_hlc, NULL, FALSE));
      gtk_box_append (GTK_BOX (box),
                      value_line (self, _("Theirs"), NULL, _("Deleted"), conflict->remote_hlc, conflict->remote_by, TRUE));
      gtk_box_append (GTK_BOX (buttons), resolve_button (conflict, _("_Restore With My Edit"), TRUE, TRUE));
      gtk_box_append (GTK_BOX (buttons), resolve_button (conflict, _("Keep _Deleted"), FALSE, FALSE));
    }
  else
    {
      gtk_box_append (GTK_BOX (box),
                      value_line (self, _("Mine"), conflict->local_value, NULL, conflict->local_hlc, NULL,
                                  conflict->local_won));
      gtk_box_append (GTK_BOX (box),
                      value_line (self, _("Theirs"), conflict->remote_value, NULL, conflict->remote_hlc,
                                  conflict->remote_by, !conflict->local_won));
      gtk_box_append (GTK_BOX (buttons), resolve_button (conflict, _("Keep _Mine"), TRUE, !conflict->local_won));
      gtk_box_append (GTK_BOX (buttons), resolve_button (conflict, _("Keep _Theirs"), FALSE, conflict->local_won));
    }
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  gtk_box_append (GTK_BOX (box), buttons);

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, heading, -1);
  return row;
}

static void
reload (CrmConflictsWindow *self)
{
  g_autoptr(GError) error = NULL;
  GtkWidget *child;
  guint before = self->conflicts ? self->conflicts->len : 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  g_clear_pointer (&self->conflicts, g_ptr_array_unref);

  if (self->context == NULL)
    return;
  self->conflicts = crm_sync_list_conflicts (crm_context_get_store (self->context), &error);
  if (self->conflicts == NULL)
    {
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      self->conflicts = g_ptr_array_new ();
    }
  for (guint i = 0; i < self->conflicts->len; i++)
    gtk_list_box_append (self->list, create_row (self, g_ptr_array_index (self->conflicts, i)));
  gtk_stack_set_visible_child_name (self->stack, self->conflicts->len > 0 ? "list" : "empty");
  if (before != self->conflicts->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CONFLICTS]);
}

static void
on_conflicts_changed (CrmConflictsWindow *self)
{
  reload (self);
}

static void
resolve_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  CrmConflictsWindow *self = CRM_CONFLICTS_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  gint64 id;
  gboolean keep_mine;

  g_variant_get (parameter, "(xb)", &id, &keep_mine);
  if (!crm_sync_resolve_conflict (crm_context_get_store (self->context), id, keep_mine, &error))
    {
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }
  /* The store emits changed::conflicts, which reloads the list. */
  adw_toast_overlay_add_toast (self->toast_overlay,
                               adw_toast_new (_("Resolved; the change is sent with the next sync")));
}

static void
crm_conflicts_window_constructed (GObject *object)
{
  CrmConflictsWindow *self = (CrmConflictsWindow *)object;

  G_OBJECT_CLASS (crm_conflicts_window_parent_class)->constructed (object);

  if (self->context != NULL)
    g_signal_connect_object (crm_context_get_store (self->context), "changed::conflicts",
                             G_CALLBACK (on_conflicts_changed), self, G_CONNECT_SWAPPED);
  reload (self);
}

static void
crm_conflicts_window_dispose (GObject *object)
{
  CrmConflictsWindow *self = (CrmConflictsWindow *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_CONFLICTS_WINDOW);
  g_clear_pointer (&self->conflicts, g_ptr_array_unref);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (crm_conflicts_window_parent_class)->dispose (object);
}

static void
crm_conflicts_window_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  CrmConflictsWindow *self = CRM_CONFLICTS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_object (value, self->context);
      break;
    case PROP_N_CONFLICTS:
      g_value_set_uint (value, self->conflicts ? self->conflicts->len : 0);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_conflicts_window_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  CrmConflictsWindow *self = CRM_CONFLICTS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      self->context = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_conflicts_window_class_init (CrmConflictsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = crm_conflicts_window_constructed;
  object_class->dispose = crm_conflicts_window_dispose;
  object_class->get_property = crm_conflicts_window_get_property;
  object_class->set_property = crm_conflicts_window_set_property;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL, CRM_TYPE_CONTEXT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_CONFLICTS] =
    g_param_spec_uint ("n-conflicts", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Crm/ui/crm-conflicts-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmConflictsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CrmConflictsWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CrmConflictsWindow, list);

  /* (conflict id, keep mine) */
  gtk_widget_class_install_action (widget_class, "conflicts.resolve", "(xb)", resolve_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
crm_conflicts_window_init (CrmConflictsWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

CrmConflictsWindow *
crm_conflicts_window_new (CrmContext *context)
{
  return g_object_new (CRM_TYPE_CONFLICTS_WINDOW,
                       "context", context,
                       NULL);
}

guint
crm_conflicts_window_get_n_conflicts (CrmConflictsWindow *self)
{
  g_return_val_if_fail (CRM_IS_CONFLICTS_WINDOW (self), 0);

  return self->conflicts ? self->conflicts->len : 0;
}
