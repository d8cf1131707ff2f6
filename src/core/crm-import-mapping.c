/* crm-import-mapping.c: which column of an imported file goes to which field, guessed from headers or saved as a template */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "crm-import-error.h"
#include "crm-import-mapping.h"

#define TEMPLATE_FORMAT "crm-import-mapping"

#define FOR_CONTACTS  (1 << CRM_IMPORT_TARGET_CONTACTS)
#define FOR_PURCHASES (1 << CRM_IMPORT_TARGET_PURCHASES)
#define FOR_BOTH      (FOR_CONTACTS | FOR_PURCHASES)

typedef struct
{
  const char *field;
  const char *label;
  guint targets;
  gboolean multiple;
  /* Header synonyms in normalized form (see normalize_header()). */
  const char *synonyms[32];
} FieldInfo;

/* Order matters twice: it is the order of the drop-downs, and a header is
 * matched against the fields in this order. */
static const FieldInfo fields[] = {
  { "name", N_("Name"), FOR_BOTH, FALSE,
    { "姓名", "名字", "客户名称", "客户姓名", "联系人", "联系人姓名", "客户", "会员姓名", "name",
      "fullname", "customername", "contactname", "displayname", "customer", "contact", NULL } },
  { "given_name", N_("Given name"), FOR_CONTACTS, FALSE,
    { "名", "firstname", "givenname", "vorname", "prénom", "prenom", NULL } },
  { "family_name", N_("Family name"), FOR_CONTACTS, FALSE,
    { "姓", "lastname", "familyname", "surname", "nachname", "nom", NULL } },
  { "kind", N_("Kind"), FOR_CONTACTS, FALSE,
    { "客户类型", "类型", "kind", "type", NULL } },
  { "phone", N_("Phone"), FOR_BOTH, TRUE,
    { "手机", "手机号", "手机号码", "电话", "联系电话", "电话号码", "移动电话", "联系方式", "座机",
      "办公电话", "phone", "mobile", "mobilephone", "cell", "cellphone", "tel", "telephone",
      "phonenumber", "mobilenumber", "workphone", "homephone", "telefon", "handy",
      "téléphone", "portable", NULL } },
  { "email", N_("Email"), FOR_BOTH, TRUE,
    { "邮箱", "电子邮件", "电子邮箱", "邮件", "邮箱地址", "email", "emailaddress", "mail",
      "workemail", "homeemail", "courriel", NULL } },
  { "gender", N_("Gender"), FOR_CONTACTS, FALSE,
    { "性别", "gender", "sex", NULL } },
  { "birthday", N_("Birthday"), FOR_CONTACTS, FALSE,
    { "生日", "出生日期", "出生年月日", "出生年月", "birthday", "birthdate", "dateofbirth", "dob", "geburtstag",
      "geburtsdatum", "datedenaissance", NULL } },
  { "organization", N_("Company"), FOR_CONTACTS, FALSE,
    { "公司", "单位", "公司名称", "工作单位", "企业", "企业名称", "所属公司", "company",
      "organization", "organisation", "companyname", "employer", "org", "firma", "unternehmen", "société",
      "entreprise", NULL } },
  { "title", N_("Job title"), FOR_CONTACTS, FALSE,
    { "职位", "职务", "头衔", "title", "jobtitle", "position", NULL } },
  { "occupation", N_("Occupation"), FOR_CONTACTS, FALSE,
    { "职业", "行业", "occupation", "profession", "industry", NULL } },
  { "region", N_("Region"), FOR_CONTACTS, FALSE,
    { "地区", "区域", "所在地", "所在地区", "region", "area", "location", NULL } },
  { "province", N_("Province"), FOR_CONTACTS, FALSE,
    { "省份", "省", "所在省份", "province", "state", NULL } },
  { "city", N_("City"), FOR_CONTACTS, FALSE,
    { "城市", "市", "所在城市", "city", "town", "stadt", "ort", "ville", NULL } },
  { "address", N_("Address"), FOR_CONTACTS, TRUE,
    { "地址", "详细地址", "联系地址", "通讯地址", "收货地址", "家庭地址", "address", "street",
      "streetaddress", "mailingaddress", "adresse", "straße", NULL } },
  { "source", N_("Source"), FOR_CONTACTS, FALSE,
    { "来源", "客户来源", "获客渠道", "source", "leadsource", NULL } },
  { "tags", N_("Tags"), FOR_CONTACTS, TRUE,
    { "标签", "客户标签", "分组", "tags", "tag", "labels", "label", "groups", "categories", NULL } },
  { "notes", N_("Notes"), FOR_CONTACTS, TRUE,
    { "备注", "说明", "描述", "notes", "note", "remark", "remarks", "comment", "comments",
      "memo", "description", "notizen", "bemerkung", "anmerkungen", NULL } },
  { "external_id", N_("External ID"), FOR_BOTH, FALSE,
    { "客户编号", "客户id", "客户代码", "会员号", "会员编号", "会员卡号", "编号", "externalid",
      "customerid", "customerno", "customernumber", "customercode", "clientid", "memberid", "id", NULL } },
  { "consent_email", N_("Email opt-in"), FOR_CONTACTS, FALSE,
    { "邮件订阅", "接收邮件", "emailoptin", "emailconsent", NULL } },
  { "consent_sms", N_("SMS opt-in"), FOR_CONTACTS, FALSE,
    { "短信订阅", "接收短信", "smsoptin", "smsconsent", NULL } },
  { "product", N_("Product"), FOR_PURCHASES, FALSE,
    { "商品", "商品名称", "产品", "产品名称", "品名", "product", "productname", "item", "itemname", NULL } },
  { "category", N_("Category"), FOR_PURCHASES, FALSE,
    { "类别", "品类", "商品类别", "商品分类", "分类", "category", "productcategory", NULL } },
  { "quantity", N_("Quantity"), FOR_PURCHASES, FALSE,
    { "数量", "件数", "购买数量", "quantity", "qty", "count", NULL } },
  { "amount", N_("Amount"), FOR_PURCHASES, FALSE,
    { "金额", "实付金额", "订单金额", "消费金额", "总价", "总金额", "成交金额", "amount", "total",
      "totalamount", "price", "value", NULL } },
  { "currency", N_("Currency"), FOR_PURCHASES, FALSE,
    { "币种", "货币", "currency", NULL } },
  { "purchased_at", N_("Purchase date"), FOR_PURCHASES, FALSE,
    { "购买日期", "购买时间", "下单时间", "下单日期", "订单日期", "交易时间", "交易日期", "日期",
      "时间", "date", "purchasedat", "orderdate", "purchasedate", "time", NULL } },
  { "channel", N_("Channel"), FOR_PURCHASES, FALSE,
    { "渠道", "销售渠道", "购买渠道", "channel", "saleschannel", NULL } },
  { "order_ref", N_("Order number"), FOR_PURCHASES, FALSE,
    { "订单号", "订单编号", "单号", "order", "orderid", "orderno", "orderref", "ordernumber", NULL } },
};

struct _CrmImportMapping
{
  GObject parent_instance;

  CrmImportTarget target;
  CrmDateOrder date_order;
  GHashTable *template;     /* header → field ("" = ignored) */
  GPtrArray *headers;       /* resolved columns */
  GPtrArray *columns;       /* field per column, NULL = ignored (static strings) */
};

G_DEFINE_FINAL_TYPE (CrmImportMapping, crm_import_mapping, G_TYPE_OBJECT)

static void
crm_import_mapping_finalize (GObject *object)
{
  CrmImportMapping *self = CRM_IMPORT_MAPPING (object);

  g_hash_table_unref (self->template);
  g_ptr_array_unref (self->headers);
  g_ptr_array_unref (self->columns);

  G_OBJECT_CLASS (crm_import_mapping_parent_class)->finalize (object);
}

static void
crm_import_mapping_class_init (CrmImportMappingClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = crm_import_mapping_finalize;
}

static void
crm_import_mapping_init (CrmImportMapping *self)
{
  self->template = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->headers = g_ptr_array_new_with_free_func (g_free);
  self->columns = g_ptr_array_new ();
}

CrmImportMapping *
crm_import_mapping_new (CrmImportTarget target)
{
  CrmImportMapping *self = g_object_new (CRM_TYPE_IMPORT_MAPPING, NULL);

  self->target = target;
  return self;
}

static const FieldInfo *
find_field (CrmImportTarget  target,
            const char      *field)
{
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if ((fields[i].targets & (1 << target)) && g_strcmp0 (fields[i].field, field) == 0)
      return &fields[i];
  return NULL;
}

const char * const *
crm_import_mapping_list_fields (CrmImportTarget target)
{
  static const char *lists[2][G_N_ELEMENTS (fields) + 1];
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      for (guint t = 0; t < 2; t++)
        {
          guint n = 0;

          for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
            if (fields[i].targets & (1 << t))
              lists[t][n++] = fields[i].field;
          lists[t][n] = NULL;
        }
      g_once_init_leave (&initialized, 1);
    }
  return (const char * const *) lists[target];
}

const char *
crm_import_field_get_label (const char *field)
{
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (g_strcmp0 (fields[i].field, field) == 0)
      return _(fields[i].label);
  return field;
}

gboolean
crm_import_field_is_multiple (const char *field)
{
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (g_strcmp0 (fields[i].field, field) == 0)
      return fields[i].multiple;
  return FALSE;
}

/* Lowercase, without spaces, punctuation, "required" markers or a
 * bracketed remark: "E-mail *", "手机（必填）" and "Mobile Phone" all
 * compare equal to their synonyms. */
static char *
normalize_header (const char *header)
{
  g_autofree char *folded = g_utf8_casefold (header != NULL ? header : "", -1);
  GString *s = g_string_new (NULL);
  int depth = 0;

  for (const char *p = folded; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '(' || c == 0xFF08 /* （ */ || c == '[' || c == 0x3010 /* 【 */)
        depth++;
      else if ((c == ')' || c == 0xFF09 || c == ']' || c == 0x3011) && depth > 0)
        depth--;
      else if (depth > 0)
        continue;
      else if (g_unichar_isalnum (c) || g_unichar_type (c) == G_UNICODE_OTHER_LETTER)
        g_string_append_unichar (s, c);
    }
  return g_string_free (s, FALSE);
}

const char *
crm_import_field_for_header (CrmImportTarget  target,
                             const char      *header)
{
  g_autofree char *key = normalize_header (header);

  if (*key == '\0')
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      if (!(fields[i].targets & (1 << target)))
        continue;
      if (g_str_equal (key, fields[i].field) ||
          g_strv_contains ((const char * const *) fields[i].synonyms, key))
        return fields[i].field;
    }
  return NULL;
}

CrmImportTarget
crm_import_mapping_get_target (CrmImportMapping *self)
{
  g_return_val_if_fail (CRM_IS_IMPORT_MAPPING (self), CRM_IMPORT_TARGET_CONTACTS);
  return self->target;
}

CrmDateOrder
crm_import_mapping_get_date_order (CrmImportMapping *self)
{
  g_return_val_if_fail (CRM_IS_IMPORT_MAPPING (self), CRM_DATE_ORDER_DAY_FIRST);
  return self->date_order;
}

void
crm_import_mapping_set_date_order (CrmImportMapping *self,
                                   CrmDateOrder      order)
{
  g_return_if_fail (CRM_IS_IMPORT_MAPPING (self));
  self->date_order = order;
}

static gboolean
check_field (CrmImportMapping  *self,
             const char        *field,
             GError           **error)
{
  g_autoptr(GString) known = NULL;
  const char * const *list;

  if (field == NULL || *field == '\0' || find_field (self->target, field) != NULL)
    return TRUE;

  list = crm_import_mapping_list_fields (self->target);
  known = g_string_new (NULL);
  for (guint i = 0; list[i] != NULL; i++)
    g_string_append_printf (known, "%s%s", i ? ", " : "", list[i]);
  g_set_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_MAPPING,
               _("“%s” is not a field that can be imported. Use one of: %s."),
               field, known->str);
  return FALSE;
}

gboolean
crm_import_mapping_set_header (CrmImportMapping  *self,
                               const char        *header,
                               const char        *field,
                               GError           **error)
{
  g_return_val_if_fail (CRM_IS_IMPORT_MAPPING (self), FALSE);
  g_return_val_if_fail (header != NULL, FALSE);

  if (!check_field (self, field, error))
    return FALSE;
  g_hash_table_insert (self->template, g_strdup (header), g_strdup (field != NULL ? field : ""));
  return TRUE;
}

static const char *
static_field (CrmImportMapping *self,
              const char       *field)
{
  const FieldInfo *info;

  if (field == NULL || *field == '\0')
    return NULL;
  info = find_field (self->target, field);
  return info != NULL ? info->field : NULL;
}

static gboolean
check_single_use (CrmImportMapping  *self,
                  GError           **error)
{
  for (guint i = 0; i < self->columns->len; i++)
    {
      const char *field = g_ptr_array_index (self->columns, i);

      if (field == NULL || crm_import_field_is_multiple (field))
        continue;
      for (guint j = i + 1; j < self->columns->len; j++)
        if (g_ptr_array_index (self->columns, j) == field)
          {
            g_set_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_MAPPING,
                         _("Columns %u (“%s”) and %u (“%s”) both go to %s, which takes one value. Map one of them to another field or ignore it."),
                         i + 1, (const char *) g_ptr_array_index (self->headers, i),
                         j + 1, (const char *) g_ptr_array_index (self->headers, j),
                         crm_import_field_get_label (field));
            return FALSE;
          }
    }
  return TRUE;
}

gboolean
crm_import_mapping_resolve (CrmImportMapping    *self,
                            const char * const  *headers,
                            guint                n_headers,
                            GError             **error)
{
  g_return_val_if_fail (CRM_IS_IMPORT_MAPPING (self), FALSE);

  g_ptr_array_set_size (self->headers, 0);
  g_ptr_array_set_size (self->columns, 0);

  for (guint i = 0; i < n_headers; i++)
    {
      g_autofree char *trimmed = g_strstrip (g_strdup (headers[i] != NULL ? headers[i] : ""));
      const char *entry = g_hash_table_lookup (self->template, trimmed);
      const char *field;

      if (entry != NULL)
        field = static_field (self, entry);
      else
        {
          field = crm_import_field_for_header (self->target, trimmed);
          /* A second column with the same meaning (two "电话" columns) is
           * added when the field takes several values, else left out for
           * the person to decide. */
          if (field != NULL && !crm_import_field_is_multiple (field))
            for (guint j = 0; j < self->columns->len; j++)
              if (g_ptr_array_index (self->columns, j) == field)
                field = NULL;
        }
      g_ptr_array_add (self->headers, g_steal_pointer (&trimmed));
      g_ptr_array_add (self->columns, (gpointer) field);
    }

  return check_single_use (self, error);
}

guint
crm_import_mapping_get_n_columns (CrmImportMapping *self)
{
  g_return_val_if_fail (CRM_IS_IMPORT_MAPPING (self), 0);
  return self->columns->len;
}

const char *
crm_import_mapping_get_header (CrmImportMapping *self,
                               guint             column)
{
  g_return_val_if_fail (CRM_IS_IMPORT_MAPPING (self), NULL);
  if (column >= self->headers->len)
    return NULL;
  return g_ptr_array_index (self->headers, column);
}

const char *
crm_import_mapping_get_field (CrmImportMapping *self,
                              guint             column)
{
  g_return_val_if_fail (CRM_IS_IMPORT_MAPPING (self), NULL);
  if (column >= self->columns->len)
    return NULL;
  return g_ptr_array_index (self->columns, column);
}

gboolean
crm_import_mapping_set_field (CrmImportMapping  *self,
                              guint              column,
                              const char        *field,
                              GError           **error)
{
  const char *previous;

  g_return_val_if_fail (CRM_IS_IMPORT_MAPPING (self), FALSE);
  g_return_val_if_fail (column < self->columns->len, FALSE);

  if (!check_field (self, field, error))
    return FALSE;
  previous = g_ptr_array_index (self->columns, column);
  self->columns->pdata[column] = (gpointer) static_field (self, field);
  if (!check_single_use (self, error))
    {
      self->columns->pdata[column] = (gpointer) previous;
      return FALSE;
    }
  g_hash_table_insert (self->template, g_strdup (g_ptr_array_index (self->headers, column)),
                       g_strdup (field != NULL ? field : ""));
  return TRUE;
}

int
crm_import_mapping_find_field (CrmImportMapping *self,
                               const char       *field)
{
  g_return_val_if_fail (CRM_IS_IMPORT_MAPPING (self), -1);
  for (guint i = 0; i < self->columns->len; i++)
    if (g_strcmp0 (g_ptr_array_index (self->columns, i), field) == 0)
      return (int) i;
  return -1;
}

static const char *
target_to_string (CrmImportTarget target)
{
  return target == CRM_IMPORT_TARGET_PURCHASES ? "purchases" : "contacts";
}

gboolean
crm_import_mapping_save (CrmImportMapping  *self,
                         const char        *path,
                         GError           **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GList) keys = NULL;

  g_return_val_if_fail (CRM_IS_IMPORT_MAPPING (self), FALSE);

  /* The resolved columns are what the person saw and approved; they are
   * written along with any template entries for other headers. */
  for (guint i = 0; i < self->columns->len; i++)
    {
      const char *field = g_ptr_array_index (self->columns, i);

      g_hash_table_insert (self->template, g_strdup (g_ptr_array_index (self->headers, i)),
                           g_strdup (field != NULL ? field : ""));
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, TEMPLATE_FORMAT);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "target");
  json_builder_add_string_value (builder, target_to_string (self->target));
  json_builder_set_member_name (builder, "date_order");
  json_builder_add_string_value (builder, self->date_order == CRM_DATE_ORDER_MONTH_FIRST ? "month-first" : "day-first");
  json_builder_set_member_name (builder, "columns");
  json_builder_begin_object (builder);
  keys = g_hash_table_get_keys (self->template);
  keys = g_list_sort (keys, (GCompareFunc) g_strcmp0);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      json_builder_set_member_name (builder, l->data);
      json_builder_add_string_value (builder, g_hash_table_lookup (self->template, l->data));
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  return g_file_set_contents (path, text, -1, error);
}

static gboolean
bad_template (const char  *path,
              const char  *why,
              GError     **error)
{
  g_set_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_MAPPING,
               _("%s is not a usable mapping template: %s"), path, why);
  return FALSE;
}

CrmImportMapping *
crm_import_mapping_new_from_file (const char  *path,
                                  GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(CrmImportMapping) self = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *root;
  JsonObject *columns;
  const char *target;
  const char *order;
  g_autoptr(GList) members = NULL;

  if (!json_parser_load_from_file (parser, path, &local_error))
    {
      if (local_error->domain == G_FILE_ERROR)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        bad_template (path, local_error->message, error);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)) ||
      g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (json_parser_get_root (parser)), "format", NULL),
                 TEMPLATE_FORMAT) != 0)
    {
      bad_template (path, _("it was not saved by this program."), error);
      return NULL;
    }
  root = json_node_get_object (json_parser_get_root (parser));
  if (json_object_get_int_member_with_default (root, "version", 0) != 1)
    {
      bad_template (path, _("it was saved by a newer version."), error);
      return NULL;
    }

  target = json_object_get_string_member_with_default (root, "target", "contacts");
  if (g_strcmp0 (target, "contacts") == 0)
    self = crm_import_mapping_new (CRM_IMPORT_TARGET_CONTACTS);
  else if (g_strcmp0 (target, "purchases") == 0)
    self = crm_import_mapping_new (CRM_IMPORT_TARGET_PURCHASES);
  else
    {
      bad_template (path, _("its target is neither contacts nor purchases."), error);
      return NULL;
    }

  order = json_object_get_string_member_with_default (root, "date_order", "day-first");
  if (!crm_date_order_from_string (order, &self->date_order))
    {
      bad_template (path, _("date_order must be day-first or month-first."), error);
      return NULL;
    }

  if (!json_object_has_member (root, "columns") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, "columns")))
    {
      bad_template (path, _("it has no columns."), error);
      return NULL;
    }
  columns = json_object_get_object_member (root, "columns");
  members = json_object_get_members (columns);
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (columns, l->data);
      const char *field = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_string (node) : NULL;
      g_autoptr(GError) field_error = NULL;

      if (field == NULL && !JSON_NODE_HOLDS_NULL (node))
        {
          bad_template (path, _("each column must map to a field name or \"\"."), error);
          return NULL;
        }
      if (!crm_import_mapping_set_header (self, l->data, field, &field_error))
        {
          bad_template (path, field_error->message, error);
          return NULL;
        }
    }
  return g_steal_pointer (&self);
}
