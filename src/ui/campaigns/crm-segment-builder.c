/* crm-segment-builder.c: edits a segment rule as AND/OR groups of conditions (field, operator, value) */

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "crm-segment-builder.h"
#include "crm-segment-rule.h"

/* Rows are made per condition as the user adds them, so this widget is
 * built in code rather than from a template. */

typedef struct _Group Group;

typedef struct
{
  Group       *group;
  GtkWidget   *row;
  GtkDropDown *field;
  GtkDropDown *op;
  GtkEntry    *value;
  GtkEntry    *within;
  const CrmSegmentField *fields;   /* crm_segment_rule_get_fields() */
} Condition;

struct _Group
{
  CrmSegmentBuilder *builder;
  GtkWidget   *box;                /* the group's own widget */
  GtkDropDown *match;
  GtkBox      *conditions_box;
  GPtrArray   *conditions;         /* Condition */
};

struct _CrmSegmentBuilder
{
  GtkWidget  parent_instance;

  GtkWidget *content;
  GtkBox    *groups_box;
  Group     *root;
  GPtrArray *groups;               /* Group: the groups inside the top one */
  gboolean   loading;
  gboolean   editable;
};

G_DEFINE_FINAL_TYPE (CrmSegmentBuilder, crm_segment_builder, GTK_TYPE_WIDGET)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
emit_changed (CrmSegmentBuilder *self)
{
  if (!self->loading)
    g_signal_emit (self, signals[CHANGED], 0);
}

static const char *
op_label (CrmSegmentFieldKind kind,
          const char         *op)
{
  static const struct { const char *op; const char *label; } purchase[] = {
    { "eq", N_("bought") }, { "in", N_("bought one of") }, { "contains", N_("bought something containing") },
    { "ne", N_("never bought") }, { "not_in", N_("bought none of") }, { "not_contains", N_("never bought anything containing") },
  };
  static const struct { const char *op; const char *label; } labels[] = {
    { "eq", N_("is") }, { "ne", N_("is not") }, { "in", N_("is one of") }, { "not_in", N_("is none of") },
    { "contains", N_("contains") }, { "not_contains", N_("does not contain") }, { "starts_with", N_("starts with") },
    { "is_set", N_("has a value") }, { "is_not_set", N_("has no value") },
    { "has", N_("has") }, { "has_any", N_("has any of") }, { "has_all", N_("has all of") }, { "has_none", N_("has none of") },
    { "lt", N_("less than") }, { "le", N_("at most") }, { "gt", N_("more than") }, { "ge", N_("at least") },
    { "between", N_("between") }, { "before", N_("before") }, { "after", N_("after") },
    { "within_days", N_("in the last N days") }, { "not_within_days", N_("not in the last N days") },
  };

  if (kind == CRM_SEGMENT_FIELD_PURCHASE)
    for (guint i = 0; i < G_N_ELEMENTS (purchase); i++)
      if (g_str_equal (purchase[i].op, op))
        return _(purchase[i].label);
  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (labels[i].op, op))
      return _(labels[i].label);
  return op;
}

static const CrmSegmentField *
condition_field (Condition *c)
{
  guint n_fields;
  const CrmSegmentField *fields = crm_segment_rule_get_fields (&n_fields);
  guint i = gtk_drop_down_get_selected (c->field);

  return i < n_fields ? &fields[i] : &fields[0];
}

static const char *
condition_op (Condition *c)
{
  const char * const *ops = crm_segment_rule_get_ops (condition_field (c)->kind);
  guint i = gtk_drop_down_get_selected (c->op);

  return i < g_strv_length ((char **) ops) ? ops[i] : ops[0];
}

static const char *
value_hint (const CrmSegmentField *field,
            const char            *op)
{
  if (g_str_equal (op, "is_set") || g_str_equal (op, "is_not_set"))
    return "";
  if (g_str_equal (op, "between"))
    return _("from, to");
  if (g_str_equal (op, "in") || g_str_equal (op, "not_in") || g_str_has_prefix (op, "has_"))
    return _("values, separated by commas");
  if (g_str_equal (op, "within_days") || g_str_equal (op, "not_within_days"))
    return _("days");
  switch (field->kind)
    {
    case CRM_SEGMENT_FIELD_BOOL:
    case CRM_SEGMENT_FIELD_EXISTS:
      return _("true or false");
    case CRM_SEGMENT_FIELD_NUMBER:
    case CRM_SEGMENT_FIELD_SCORE:
      return _("number");
    case CRM_SEGMENT_FIELD_DATE:
      return _("YYYY-MM-DD");
    case CRM_SEGMENT_FIELD_TEXT:
    case CRM_SEGMENT_FIELD_ENUM:
    case CRM_SEGMENT_FIELD_TAGS:
    case CRM_SEGMENT_FIELD_PURCHASE:
    default:
      return _("value");
    }
}

static void
update_value_widgets (Condition *c)
{
  const CrmSegmentField *field = condition_field (c);
  const char *op = condition_op (c);
  gboolean takes_value = !g_str_equal (op, "is_set") && !g_str_equal (op, "is_not_set");
  g_autofree char *tooltip = NULL;

  gtk_widget_set_visible (GTK_WIDGET (c->value), takes_value);
  gtk_entry_set_placeholder_text (c->value, value_hint (field, op));
  if (field->values != NULL)
    {
      g_autofree char *allowed = g_strjoinv (", ", (char **) field->values);

      tooltip = g_strdup_printf (_("One of: %s"), allowed);
    }
  gtk_widget_set_tooltip_text (GTK_WIDGET (c->value), tooltip);
  gtk_widget_set_visible (GTK_WIDGET (c->within),
                          field->kind == CRM_SEGMENT_FIELD_PURCHASE || field->kind == CRM_SEGMENT_FIELD_EXISTS ||
                          field->kind == CRM_SEGMENT_FIELD_SCORE);
}

static void
set_op_model (Condition *c)
{
  const char * const *ops = crm_segment_rule_get_ops (condition_field (c)->kind);
  g_autoptr(GtkStringList) model = gtk_string_list_new (NULL);

  for (guint i = 0; ops[i] != NULL; i++)
    gtk_string_list_append (model, op_label (condition_field (c)->kind, ops[i]));
  gtk_drop_down_set_model (c->op, G_LIST_MODEL (model));
  gtk_drop_down_set_selected (c->op, 0);
}

static void
on_field_changed (Condition *c)
{
  gboolean loading = c->group->builder->loading;

  c->group->builder->loading = TRUE;
  set_op_model (c);
  c->group->builder->loading = loading;
  update_value_widgets (c);
  emit_changed (c->group->builder);
}

static void
on_op_changed (Condition *c)
{
  update_value_widgets (c);
  emit_changed (c->group->builder);
}

static void
on_entry_changed (Condition *c)
{
  emit_changed (c->group->builder);
}

static void
condition_free (Condition *c)
{
  g_free (c);
}

static void
on_remove_condition (GtkButton *button,
                     Condition *c)
{
  Group *group = c->group;
  CrmSegmentBuilder *self = group->builder;

  gtk_box_remove (group->conditions_box, c->row);
  g_ptr_array_remove (group->conditions, c);
  emit_changed (self);
}

static Condition *
add_condition (Group *group)
{
  CrmSegmentBuilder *self = group->builder;
  guint n_fields;
  const CrmSegmentField *fields = crm_segment_rule_get_fields (&n_fields);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  Condition *c = g_new0 (Condition, 1);
  GtkWidget *remove = gtk_button_new_from_icon_name ("list-remove-symbolic");

  for (guint i = 0; i < n_fields; i++)
    gtk_string_list_append (names, _(fields[i].label));
  c->group = group;
  c->row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  c->field = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_steal_pointer (&names)), NULL));
  gtk_drop_down_set_enable_search (c->field, TRUE);
  c->op = GTK_DROP_DOWN (gtk_drop_down_new (NULL, NULL));
  c->value = GTK_ENTRY (gtk_entry_new ());
  gtk_widget_set_hexpand (GTK_WIDGET (c->value), TRUE);
  c->within = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_placeholder_text (c->within, _("within days"));
  gtk_editable_set_width_chars (GTK_EDITABLE (c->within), 8);
  gtk_widget_set_tooltip_text (GTK_WIDGET (c->within), _("Only count the last N days (empty: ever)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (c->field), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Field"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (c->op), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Operator"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (c->value), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Value"), -1);
  gtk_widget_set_tooltip_text (remove, _("Remove Condition"));
  gtk_widget_add_css_class (remove, "flat");

  gtk_box_append (GTK_BOX (c->row), GTK_WIDGET (c->field));
  gtk_box_append (GTK_BOX (c->row), GTK_WIDGET (c->op));
  gtk_box_append (GTK_BOX (c->row), GTK_WIDGET (c->value));
  gtk_box_append (GTK_BOX (c->row), GTK_WIDGET (c->within));
  gtk_box_append (GTK_BOX (c->row), remove);
  gtk_box_append (group->conditions_box, c->row);
  g_ptr_array_add (group->conditions, c);

  self->loading = TRUE;
  set_op_model (c);
  self->loading = FALSE;
  update_value_widgets (c);
  g_signal_connect_swapped (c->field, "notify::selected", G_CALLBACK (on_field_changed), c);
  g_signal_connect_swapped (c->op, "notify::selected", G_CALLBACK (on_op_changed), c);
  g_signal_connect_swapped (c->value, "changed", G_CALLBACK (on_entry_changed), c);
  g_signal_connect_swapped (c->within, "changed", G_CALLBACK (on_entry_changed), c);
  g_signal_connect (remove, "clicked", G_CALLBACK (on_remove_condition), c);
  return c;
}

static void
group_free (Group *group)
{
  g_ptr_array_unref (group->conditions);
  g_free (group);
}

static void
on_add_condition_clicked (GtkButton *button,
                          Group     *group)
{
  Condition *c = add_condition (group);

  gtk_widget_grab_focus (GTK_WIDGET (c->field));
  emit_changed (group->builder);
}

static void
on_match_changed (Group *group)
{
  emit_changed (group->builder);
}

static void
on_remove_group (GtkButton *button,
                 Group     *group)
{
  CrmSegmentBuilder *self = group->builder;

  gtk_box_remove (self->groups_box, group->box);
  g_ptr_array_remove (self->groups, group);
  emit_changed (self);
}

/* The top group (@nested FALSE) or one inside it. */
static Group *
group_new (CrmSegmentBuilder *self,
           gboolean           nested)
{
  Group *group = g_new0 (Group, 1);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *before = gtk_label_new (nested ? _("A group where") : _("Contacts where"));
  GtkWidget *after = gtk_label_new (_("of these hold:"));
  GtkWidget *add = gtk_button_new_with_mnemonic (_("Add _Condition"));
  const char *matches[] = { _("all"), _("any"), NULL };

  group->builder = self;
  group->conditions = g_ptr_array_new_with_free_func ((GDestroyNotify) condition_free);
  group->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  group->match = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (matches));
  gtk_accessible_update_property (GTK_ACCESSIBLE (group->match), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Match all or any"), -1);
  group->conditions_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 6));
  gtk_box_append (GTK_BOX (header), before);
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (group->match));
  gtk_box_append (GTK_BOX (header), after);
  gtk_box_append (GTK_BOX (group->box), header);
  gtk_box_append (GTK_BOX (group->box), GTK_WIDGET (group->conditions_box));
  gtk_widget_set_halign (add, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (group->box), add);
  g_signal_connect (add, "clicked", G_CALLBACK (on_add_condition_clicked), group);
  g_signal_connect_swapped (group->match, "notify::selected", G_CALLBACK (on_match_changed), group);

  if (nested)
    {
      GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");

      gtk_widget_set_hexpand (after, TRUE);
      gtk_label_set_xalign (GTK_LABEL (after), 0);
      gtk_widget_set_tooltip_text (remove, _("Remove Group"));
      gtk_widget_add_css_class (remove, "flat");
      gtk_box_append (GTK_BOX (header), remove);
      g_signal_connect (remove, "clicked", G_CALLBACK (on_remove_group), group);
      gtk_widget_add_css_class (group->box, "card");
      gtk_widget_set_margin_start (group->box, 24);
      g_object_set (group->box, "margin-top", 6, NULL);
      gtk_widget_set_margin_start (GTK_WIDGET (group->conditions_box), 12);
      gtk_widget_set_margin_end (GTK_WIDGET (group->conditions_box), 12);
      gtk_widget_set_margin_start (header, 12);
      gtk_widget_set_margin_end (header, 6);
      gtk_widget_set_margin_top (header, 6);
      gtk_widget_set_margin_start (add, 12);
      gtk_widget_set_margin_bottom (add, 12);
    }
  return group;
}

static Group *
add_group (CrmSegmentBuilder *self)
{
  Group *group = group_new (self, TRUE);

  gtk_box_append (self->groups_box, group->box);
  g_ptr_array_add (self->groups, group);
  return group;
}

static void
on_add_group_clicked (CrmSegmentBuilder *self)
{
  Group *group = add_group (self);

  add_condition (group);
  emit_changed (self);
}

/* ---------------------------------------------------------------------- */
/* To JSON */

static gboolean
parse_number (const char *text,
              double     *out)
{
  char *end = NULL;

  if (*text == '\0')
    return FALSE;
  *out = g_ascii_strtod (text, &end);
  return end != NULL && *end == '\0';
}

/* A number when it reads as one (whole numbers as integers), else text:
 * the compiler then says the value is not a number. */
static void
add_scalar (JsonBuilder *b,
            const char  *text,
            gboolean     numeric)
{
  double number;

  if (numeric && parse_number (text, &number))
    {
      if (number == (double) (gint64) number)
        json_builder_add_int_value (b, (gint64) number);
      else
        json_builder_add_double_value (b, number);
    }
  else
    json_builder_add_string_value (b, text);
}

static char **
split_list (const char *text)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *normalized = g_strdup (text);
  g_auto(GStrv) parts = NULL;

  /* Chinese input types the full-width comma. */
  for (char *p = strstr (normalized, "，"); p != NULL; p = strstr (p, "，"))
    memcpy (p, ",  ", 3);
  parts = g_strsplit (normalized, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (*parts[i] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }
  return g_strv_builder_end (builder);
}

static void
add_condition_json (JsonBuilder *b,
                    Condition   *c)
{
  const CrmSegmentField *field = condition_field (c);
  const char *op = condition_op (c);
  g_autofree char *value = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (c->value))));
  g_autofree char *within = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (c->within))));
  gboolean numeric = field->kind == CRM_SEGMENT_FIELD_NUMBER || field->kind == CRM_SEGMENT_FIELD_SCORE ||
                     g_str_has_suffix (op, "within_days");

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "field");
  json_builder_add_string_value (b, field->name);
  json_builder_set_member_name (b, "op");
  json_builder_add_string_value (b, op);
  if (!g_str_equal (op, "is_set") && !g_str_equal (op, "is_not_set"))
    {
      json_builder_set_member_name (b, "value");
      if (g_str_equal (op, "between") || g_str_equal (op, "in") || g_str_equal (op, "not_in") ||
          g_str_has_prefix (op, "has_"))
        {
          g_auto(GStrv) items = split_list (value);

          json_builder_begin_array (b);
          for (guint i = 0; items[i] != NULL; i++)
            add_scalar (b, items[i], numeric);
          json_builder_end_array (b);
        }
      else if ((field->kind == CRM_SEGMENT_FIELD_BOOL || field->kind == CRM_SEGMENT_FIELD_EXISTS) &&
               (g_ascii_strcasecmp (value, "true") == 0 || g_ascii_strcasecmp (value, "false") == 0))
        json_builder_add_boolean_value (b, g_ascii_strcasecmp (value, "true") == 0);
      else
        add_scalar (b, value, numeric);
    }
  if (gtk_widget_get_visible (GTK_WIDGET (c->within)) && *within != '\0')
    {
      json_builder_set_member_name (b, "within_days");
      add_scalar (b, within, TRUE);
    }
  json_builder_end_object (b);
}

static void
add_group_json (JsonBuilder *b,
                Group       *group,
                GPtrArray   *subgroups)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, gtk_drop_down_get_selected (group->match) == 1 ? "any" : "all");
  json_builder_begin_array (b);
  for (guint i = 0; i < group->conditions->len; i++)
    add_condition_json (b, g_ptr_array_index (group->conditions, i));
  for (guint i = 0; subgroups != NULL && i < subgroups->len; i++)
    add_group_json (b, g_ptr_array_index (subgroups, i), NULL);
  json_builder_end_array (b);
  json_builder_end_object (b);
}

char *
crm_segment_builder_dup_rule (CrmSegmentBuilder *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  g_return_val_if_fail (CRM_IS_SEGMENT_BUILDER (self), NULL);

  add_group_json (b, self->root, self->groups);
  root = json_builder_get_root (b);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_data (generator, NULL);
}

/* ---------------------------------------------------------------------- */
/* From JSON */

static char *
node_text (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("");
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) parts = NULL;

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *item = node_text (json_array_get_element (array, i));

          if (item == NULL || JSON_NODE_HOLDS_ARRAY (json_array_get_element (array, i)))
            return NULL;
          g_strv_builder_add (builder, item);
        }
      parts = g_strv_builder_end (builder);
      return g_strjoinv (", ", parts);
    }
  if (JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_BOOLEAN:
      return g_strdup (json_node_get_boolean (node) ? "true" : "false");
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    case G_TYPE_DOUBLE:
      {
        char buffer[G_ASCII_DTOSTR_BUF_SIZE];

        return g_strdup (g_ascii_dtostr (buffer, sizeof buffer, json_node_get_double (node)));
      }
    default:
      return g_strdup (json_node_get_string (node));
    }
}

static gboolean
index_of (const char * const *list,
          const char         *item,
          guint              *out)
{
  for (guint i = 0; list[i] != NULL; i++)
    if (g_strcmp0 (list[i], item) == 0)
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}

static gboolean
fill_condition (Condition  *c,
                JsonObject *object)
{
  guint n_fields, field_index = G_MAXUINT, op_index;
  const CrmSegmentField *fields = crm_segment_rule_get_fields (&n_fields);
  const char *field = json_object_get_string_member_with_default (object, "field", NULL);
  const char *op = json_object_get_string_member_with_default (object, "op", NULL);
  g_autofree char *value = node_text (json_object_get_member (object, "value"));
  g_autofree char *within = node_text (json_object_get_member (object, "within_days"));

  for (guint i = 0; i < n_fields; i++)
    if (g_strcmp0 (fields[i].name, field) == 0)
      field_index = i;
  if (field_index == G_MAXUINT || value == NULL || within == NULL ||
      !index_of (crm_segment_rule_get_ops (fields[field_index].kind), op, &op_index))
    return FALSE;
  gtk_drop_down_set_selected (c->field, field_index);
  set_op_model (c);
  gtk_drop_down_set_selected (c->op, op_index);
  update_value_widgets (c);
  gtk_editable_set_text (GTK_EDITABLE (c->value), value);
  gtk_editable_set_text (GTK_EDITABLE (c->within), within);
  return TRUE;
}

static JsonArray *
group_items (JsonObject *object,
             guint      *out_match)
{
  if (json_object_get_size (object) != 1)
    return NULL;
  if (json_object_has_member (object, "all") && JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "all")))
    {
      *out_match = 0;
      return json_object_get_array_member (object, "all");
    }
  if (json_object_has_member (object, "any") && JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "any")))
    {
      *out_match = 1;
      return json_object_get_array_member (object, "any");
    }
  return NULL;
}

static gboolean
fill_group (CrmSegmentBuilder *self,
            Group             *group,
            JsonObject        *object,
            gboolean           nested)
{
  guint match;
  JsonArray *items = group_items (object, &match);

  if (items == NULL)
    return FALSE;
  gtk_drop_down_set_selected (group->match, match);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *node = json_array_get_element (items, i);
      JsonObject *item;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return FALSE;
      item = json_node_get_object (node);
      if (json_object_has_member (item, "field"))
        {
          if (!fill_condition (add_condition (group), item))
            return FALSE;
        }
      else if (nested || !fill_group (self, add_group (self), item, TRUE))
        return FALSE;
    }
  return TRUE;
}

static void
clear (CrmSegmentBuilder *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->root->conditions_box))) != NULL)
    gtk_box_remove (self->root->conditions_box, child);
  g_ptr_array_set_size (self->root->conditions, 0);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->groups_box))) != NULL)
    gtk_box_remove (self->groups_box, child);
  g_ptr_array_set_size (self->groups, 0);
  gtk_drop_down_set_selected (self->root->match, 0);
}

gboolean
crm_segment_builder_set_rule (CrmSegmentBuilder *self,
                              const char        *rule_json)
{
  g_autoptr(JsonNode) root = NULL;
  gboolean ok;

  g_return_val_if_fail (CRM_IS_SEGMENT_BUILDER (self), FALSE);

  root = json_from_string (rule_json, NULL);
  self->loading = TRUE;
  clear (self);
  ok = root != NULL && JSON_NODE_HOLDS_OBJECT (root) &&
       fill_group (self, self->root, json_node_get_object (root), FALSE);
  if (!ok)
    clear (self);
  self->loading = FALSE;
  gtk_widget_set_sensitive (self->content, ok && self->editable);
  return ok;
}

void
crm_segment_builder_set_editable (CrmSegmentBuilder *self,
                                  gboolean           editable)
{
  g_return_if_fail (CRM_IS_SEGMENT_BUILDER (self));

  self->editable = editable;
  gtk_widget_set_sensitive (self->content, editable);
}

guint
crm_segment_builder_get_n_conditions (CrmSegmentBuilder *self)
{
  guint n = self->root->conditions->len;

  for (guint i = 0; i < self->groups->len; i++)
    n += ((Group *) g_ptr_array_index (self->groups, i))->conditions->len;
  return n;
}

/* ---------------------------------------------------------------------- */
/* Actions, for the keyboard and tests: groups are numbered 0 (the top
 * one), 1 … (the ones inside it); conditions from 0 within their group. */

static Group *
nth_group (CrmSegmentBuilder *self,
           guint              index)
{
  if (index == 0)
    return self->root;
  return index <= self->groups->len ? g_ptr_array_index (self->groups, index - 1) : NULL;
}

static void
add_condition_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  Group *group = nth_group (CRM_SEGMENT_BUILDER (widget), g_variant_get_uint32 (parameter));

  if (group != NULL)
    on_add_condition_clicked (NULL, group);
}

static void
add_group_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  on_add_group_clicked (CRM_SEGMENT_BUILDER (widget));
}

static void
set_match_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  const char *match;
  guint32 index;
  Group *group;

  g_variant_get (parameter, "(u&s)", &index, &match);
  group = nth_group (CRM_SEGMENT_BUILDER (widget), index);
  if (group != NULL)
    gtk_drop_down_set_selected (group->match, g_str_equal (match, "any") ? 1 : 0);
}

static void
set_condition_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CrmSegmentBuilder *self = CRM_SEGMENT_BUILDER (widget);
  const char *field, *op, *value;
  guint32 group_index, index, n_fields, op_index;
  const CrmSegmentField *fields = crm_segment_rule_get_fields (&n_fields);
  Group *group;
  Condition *c;

  g_variant_get (parameter, "(uu&s&s&s)", &group_index, &index, &field, &op, &value);
  group = nth_group (self, group_index);
  if (group == NULL || index >= group->conditions->len)
    return;
  c = g_ptr_array_index (group->conditions, index);
  for (guint i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].name, field))
      gtk_drop_down_set_selected (c->field, i);
  if (index_of (crm_segment_rule_get_ops (condition_field (c)->kind), op, &op_index))
    gtk_drop_down_set_selected (c->op, op_index);
  gtk_editable_set_text (GTK_EDITABLE (c->value), value);
}

static void
remove_condition_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  guint32 group_index, index;
  Group *group;

  g_variant_get (parameter, "(uu)", &group_index, &index);
  group = nth_group (CRM_SEGMENT_BUILDER (widget), group_index);
  if (group != NULL && index < group->conditions->len)
    on_remove_condition (NULL, g_ptr_array_index (group->conditions, index));
}

/* ---------------------------------------------------------------------- */

static void
crm_segment_builder_dispose (GObject *object)
{
  CrmSegmentBuilder *self = CRM_SEGMENT_BUILDER (object);

  g_clear_pointer (&self->content, gtk_widget_unparent);

  G_OBJECT_CLASS (crm_segment_builder_parent_class)->dispose (object);
}

static void
crm_segment_builder_finalize (GObject *object)
{
  CrmSegmentBuilder *self = CRM_SEGMENT_BUILDER (object);

  g_ptr_array_unref (self->groups);
  group_free (self->root);

  G_OBJECT_CLASS (crm_segment_builder_parent_class)->finalize (object);
}

static void
crm_segment_builder_class_init (CrmSegmentBuilderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_segment_builder_dispose;
  object_class->finalize = crm_segment_builder_finalize;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_install_action (widget_class, "builder.add-condition", "u", add_condition_action);
  gtk_widget_class_install_action (widget_class, "builder.add-group", NULL, add_group_action);
  gtk_widget_class_install_action (widget_class, "builder.set-match", "(us)", set_match_action);
  gtk_widget_class_install_action (widget_class, "builder.set-condition", "(uusss)", set_condition_action);
  gtk_widget_class_install_action (widget_class, "builder.remove-condition", "(uu)", remove_condition_action);
}

static void
crm_segment_builder_init (CrmSegmentBuilder *self)
{
  GtkWidget *add_group_button = gtk_button_new_with_mnemonic (_("Add _Group"));

  self->editable = TRUE;
  self->groups = g_ptr_array_new_with_free_func ((GDestroyNotify) group_free);
  self->root = group_new (self, FALSE);
  self->content = self->root->box;
  self->groups_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 6));
  gtk_box_insert_child_after (GTK_BOX (self->root->box), GTK_WIDGET (self->groups_box),
                              GTK_WIDGET (self->root->conditions_box));
  gtk_widget_set_tooltip_text (add_group_button, _("A group of conditions of which all or any must hold"));
  /* Next to the top group's Add Condition. */
  {
    GtkWidget *add = gtk_widget_get_last_child (self->root->box);
    GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

    g_object_ref (add);
    gtk_box_remove (GTK_BOX (self->root->box), add);
    gtk_box_append (GTK_BOX (buttons), add);
    gtk_box_append (GTK_BOX (buttons), add_group_button);
    gtk_box_append (GTK_BOX (self->root->box), buttons);
    g_object_unref (add);
  }
  g_signal_connect_swapped (add_group_button, "clicked", G_CALLBACK (on_add_group_clicked), self);
  gtk_widget_set_parent (self->content, GTK_WIDGET (self));
}

GtkWidget *
crm_segment_builder_new (void)
{
  return g_object_new (CRM_TYPE_SEGMENT_BUILDER, NULL);
}
