/* crm-demo.c: a deterministic generator of realistic demo customers, sales and service history */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "crm-contact-search.h"
#include "crm-demo.h"
#include "crm-json.h"
#include "crm-pinyin.h"
#include "crm-store-bulk.h"
#include "crm-store-private.h"
#include "crm-uuid.h"

/* Everything the data says comes from one GRand seeded with the caller's
 * seed, drawn in a fixed order, so the same seed, count and reference date
 * give the same names, dates and amounts. Ids are ordinary UUIDv7 (they
 * must not collide with rows made elsewhere), so they differ between runs.
 *
 * Speed: rows go in through raw prepared statements, thousands of contacts
 * per transaction, with the outbox and audit triggers off (the store's
 * applying-remote flag) and the search index deferred to one rebuild at
 * the end. Building CrmRecord objects would cost more than the inserts. */

#define BATCH_CONTACTS 20000
/* The page cache while generating: about 1 KiB per contact (the part of
 * the random-order indexes a batch touches), from 256 MiB to 1 GiB. */
#define DEMO_CACHE_MIN_KIB G_GINT64_CONSTANT (262144)
#define DEMO_CACHE_MAX_KIB G_GINT64_CONSTANT (1048576)
#define YEARS 3            /* of purchases and activities */
#define CONTACT_YEARS 5    /* customers: some came before the purchase history */
#define CHINA_UTC_OFFSET (8 * 3600)
#define SECONDS_PER_DAY 86400

/* ---------------------------------------------------------------------- */
/* Word lists. Weights are relative frequencies. */

typedef struct
{
  const char *text;
  guint weight;
} Weighted;

/* The most common surnames of the 2020 census, per 10 000 people, and a
 * few rare and compound ones that pinyin and sorting must cope with. */
static const Weighted cn_surnames[] = {
  { "王", 710 }, { "李", 700 }, { "张", 670 }, { "刘", 540 }, { "陈", 460 },
  { "杨", 310 }, { "黄", 240 }, { "赵", 230 }, { "吴", 200 }, { "周", 190 },
  { "徐", 150 }, { "孙", 150 }, { "马", 130 }, { "朱", 130 }, { "胡", 120 },
  { "郭", 120 }, { "何", 110 }, { "林", 100 }, { "高", 100 }, { "罗", 90 },
  { "郑", 90 }, { "梁", 80 }, { "谢", 70 }, { "宋", 60 }, { "唐", 60 },
  { "许", 60 }, { "韩", 60 }, { "冯", 50 }, { "邓", 50 }, { "曹", 50 },
  { "彭", 50 }, { "曾", 50 }, { "肖", 50 }, { "田", 40 }, { "董", 40 },
  { "袁", 40 }, { "潘", 40 }, { "于", 40 }, { "蒋", 40 }, { "蔡", 40 },
  { "余", 40 }, { "杜", 30 }, { "叶", 30 }, { "程", 30 }, { "苏", 30 },
  { "魏", 30 }, { "吕", 30 }, { "丁", 30 }, { "任", 30 }, { "沈", 30 },
  { "姚", 30 }, { "卢", 30 }, { "姜", 20 }, { "崔", 20 }, { "钟", 20 },
  { "谭", 20 }, { "陆", 20 }, { "汪", 20 }, { "范", 20 }, { "金", 20 },
  { "石", 20 }, { "廖", 20 }, { "贾", 20 }, { "夏", 20 }, { "韦", 20 },
  { "付", 20 }, { "方", 20 }, { "白", 20 }, { "邹", 20 }, { "孟", 20 },
  { "熊", 20 }, { "秦", 20 }, { "邱", 20 }, { "江", 20 }, { "尹", 20 },
  { "薛", 10 }, { "闫", 10 }, { "段", 10 }, { "雷", 10 }, { "侯", 10 },
  { "龙", 10 }, { "史", 10 }, { "陶", 10 }, { "黎", 10 }, { "贺", 10 },
  { "顾", 10 }, { "毛", 10 }, { "郝", 10 }, { "龚", 10 }, { "邵", 10 },
  { "万", 10 }, { "钱", 10 }, { "严", 10 }, { "覃", 10 }, { "武", 10 },
  { "戴", 10 }, { "莫", 10 }, { "孔", 10 }, { "向", 10 }, { "汤", 10 },
  { "单", 3 }, { "解", 3 }, { "仇", 2 }, { "区", 2 }, { "查", 2 },
  { "欧阳", 3 }, { "司马", 1 }, { "诸葛", 1 }, { "上官", 1 }, { "尉迟", 1 },
};

/* Characters of given names, by how often they appear in names. */
static const Weighted cn_male_chars[] = {
  { "伟", 60 }, { "磊", 40 }, { "强", 40 }, { "军", 35 }, { "勇", 30 },
  { "杰", 35 }, { "涛", 30 }, { "明", 35 }, { "超", 25 }, { "刚", 25 },
  { "平", 20 }, { "辉", 25 }, { "鹏", 25 }, { "华", 25 }, { "飞", 20 },
  { "鑫", 20 }, { "波", 20 }, { "宇", 30 }, { "浩", 30 }, { "凯", 20 },
  { "健", 20 }, { "俊", 25 }, { "帆", 15 }, { "帅", 10 }, { "旭", 15 },
  { "宁", 15 }, { "龙", 20 }, { "林", 15 }, { "阳", 20 }, { "斌", 20 },
  { "峰", 20 }, { "建", 25 }, { "国", 25 }, { "志", 25 }, { "文", 25 },
  { "晨", 15 }, { "博", 15 }, { "子", 20 }, { "轩", 20 }, { "然", 15 },
  { "睿", 15 }, { "泽", 15 }, { "昊", 10 }, { "天", 15 }, { "一", 10 },
  { "嘉", 15 }, { "思", 10 }, { "铭", 10 }, { "哲", 10 }, { "毅", 10 },
  { "成", 15 }, { "海", 20 }, { "东", 20 }, { "亮", 15 }, { "长", 8 },
  { "重", 5 }, { "乐", 8 }, { "朝", 5 },
};

static const Weighted cn_female_chars[] = {
  { "芳", 50 }, { "娜", 45 }, { "敏", 40 }, { "静", 45 }, { "丽", 40 },
  { "艳", 30 }, { "娟", 30 }, { "霞", 25 }, { "秀", 25 }, { "英", 25 },
  { "婷", 35 }, { "雪", 25 }, { "慧", 25 }, { "莹", 20 }, { "玲", 25 },
  { "梅", 20 }, { "欣", 25 }, { "怡", 25 }, { "涵", 25 }, { "梓", 15 },
  { "诗", 15 }, { "雨", 20 }, { "佳", 25 }, { "琳", 20 }, { "颖", 20 },
  { "倩", 20 }, { "洁", 20 }, { "璐", 15 }, { "晶", 15 }, { "萍", 15 },
  { "红", 20 }, { "燕", 20 }, { "丹", 20 }, { "璇", 10 }, { "悦", 15 },
  { "妍", 10 }, { "可", 10 }, { "馨", 15 }, { "思", 15 }, { "月", 15 },
  { "蕾", 10 }, { "薇", 10 }, { "晓", 20 }, { "文", 15 }, { "美", 15 },
};

static const Weighted en_male_names[] = {
  { "James", 30 }, { "John", 30 }, { "Robert", 25 }, { "Michael", 30 },
  { "William", 25 }, { "David", 30 }, { "Richard", 15 }, { "Joseph", 15 },
  { "Thomas", 20 }, { "Daniel", 20 }, { "Matthew", 15 }, { "Anthony", 10 },
  { "Mark", 15 }, { "Paul", 15 }, { "Andrew", 15 }, { "Peter", 15 },
  { "Kevin", 10 }, { "Brian", 10 }, { "George", 10 }, { "Edward", 10 },
  { "Oliver", 10 }, { "Lucas", 8 }, { "Henry", 8 }, { "Samuel", 8 },
  { "Jürgen", 2 }, { "José", 3 }, { "François", 2 }, { "Seán", 2 },
};

static const Weighted en_female_names[] = {
  { "Mary", 25 }, { "Patricia", 15 }, { "Jennifer", 20 }, { "Linda", 15 },
  { "Elizabeth", 20 }, { "Barbara", 10 }, { "Susan", 15 }, { "Jessica", 15 },
  { "Sarah", 20 }, { "Karen", 10 }, { "Emily", 20 }, { "Emma", 20 },
  { "Olivia", 15 }, { "Sophia", 15 }, { "Anna", 15 }, { "Laura", 12 },
  { "Rachel", 10 }, { "Grace", 10 }, { "Chloe", 10 }, { "Amy", 10 },
  { "Hannah", 10 }, { "Zoë", 4 }, { "Chloé", 3 }, { "Renée", 2 },
};

static const Weighted en_surnames[] = {
  { "Smith", 40 }, { "Johnson", 30 }, { "Williams", 28 }, { "Brown", 25 },
  { "Jones", 25 }, { "Garcia", 15 }, { "Miller", 18 }, { "Davis", 18 },
  { "Wilson", 15 }, { "Anderson", 12 }, { "Taylor", 15 }, { "Thomas", 12 },
  { "Moore", 10 }, { "Martin", 12 }, { "Lee", 15 }, { "Thompson", 10 },
  { "White", 10 }, { "Harris", 10 }, { "Clark", 10 }, { "Lewis", 8 },
  { "Walker", 8 }, { "Young", 8 }, { "Allen", 8 }, { "King", 8 },
  { "Wright", 8 }, { "Scott", 8 }, { "Green", 8 }, { "Baker", 8 },
  { "Müller", 3 }, { "O'Brien", 3 }, { "Dubois", 2 }, { "Nakamura", 2 },
};

typedef struct
{
  const char *province;
  const char *city;
  const char *area_code;   /* landline, without the leading 0 */
  guint weight;
} City;

/* Beijing's area code 10 is left out of landlines below: the store's phone
 * check reads +86 1… as a mobile number (see the note in the report). */
static const City cities[] = {
  { "上海市", "上海", "21", 90 }, { "北京市", "北京", NULL, 80 },
  { "广东省", "广州", "20", 70 }, { "广东省", "深圳", "755", 75 },
  { "广东省", "东莞", "769", 25 }, { "广东省", "佛山", "757", 25 },
  { "浙江省", "杭州", "571", 50 }, { "浙江省", "宁波", "574", 25 },
  { "浙江省", "温州", "577", 18 }, { "江苏省", "南京", "25", 40 },
  { "江苏省", "苏州", "512", 40 }, { "江苏省", "无锡", "510", 20 },
  { "四川省", "成都", "28", 50 }, { "湖北省", "武汉", "27", 40 },
  { "陕西省", "西安", "29", 35 }, { "重庆市", "重庆", "23", 40 },
  { "天津市", "天津", "22", 30 }, { "河南省", "郑州", "371", 30 },
  { "湖南省", "长沙", "731", 30 }, { "山东省", "青岛", "532", 28 },
  { "山东省", "济南", "531", 25 }, { "山东省", "烟台", "535", 10 },
  { "安徽省", "合肥", "551", 25 }, { "福建省", "福州", "591", 20 },
  { "福建省", "厦门", "592", 20 }, { "福建省", "泉州", "595", 12 },
  { "辽宁省", "沈阳", "24", 20 }, { "辽宁省", "大连", "411", 18 },
  { "黑龙江省", "哈尔滨", "451", 15 }, { "吉林省", "长春", "431", 12 },
  { "云南省", "昆明", "871", 15 }, { "广西壮族自治区", "南宁", "771", 12 },
  { "河北省", "石家庄", "311", 15 }, { "山西省", "太原", "351", 12 },
  { "江西省", "南昌", "791", 12 }, { "贵州省", "贵阳", "851", 10 },
  { "甘肃省", "兰州", "931", 8 }, { "新疆维吾尔自治区", "乌鲁木齐", "991", 6 },
  { "内蒙古自治区", "呼和浩特", "471", 5 }, { "海南省", "海口", "898", 6 },
};

/* Mobile number prefixes in use by China Mobile, Unicom, Telecom and
 * Broadnet (digits 1–3 of the 11). */
static const char * const mobile_prefixes[] = {
  "130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
  "147", "150", "151", "152", "153", "155", "156", "157", "158", "159",
  "166", "172", "173", "175", "176", "177", "178", "180", "181", "182",
  "183", "184", "185", "186", "187", "188", "189", "191", "195", "197",
  "198", "199",
};

static const Weighted cn_email_domains[] = {
  { "qq.com", 35 }, { "163.com", 25 }, { "126.com", 10 }, { "sina.com", 5 },
  { "sohu.com", 3 }, { "outlook.com", 5 }, { "gmail.com", 4 },
  { "foxmail.com", 5 }, { "139.com", 4 }, { "aliyun.com", 4 },
};

static const Weighted en_email_domains[] = {
  { "gmail.com", 40 }, { "outlook.com", 20 }, { "hotmail.com", 15 },
  { "yahoo.com", 10 }, { "icloud.com", 15 },
};

static const Weighted cn_brands[] = {
  { "华信", 10 }, { "瑞丰", 10 }, { "鼎盛", 10 }, { "恒通", 10 }, { "金泰", 10 },
  { "宏达", 10 }, { "联创", 10 }, { "天合", 10 }, { "嘉禾", 10 }, { "永安", 10 },
  { "博远", 10 }, { "安和", 10 }, { "景泰", 10 }, { "凯达", 10 }, { "锦程", 10 },
  { "汇通", 10 }, { "众诚", 10 }, { "信达", 10 }, { "海纳", 10 }, { "同创", 10 },
  { "远航", 10 }, { "百川", 10 }, { "君悦", 10 }, { "明德", 10 }, { "瑞祥", 10 },
  { "和盛", 10 }, { "富源", 10 }, { "华宇", 10 }, { "新锐", 10 }, { "泰和", 10 },
};

static const Weighted cn_industries[] = {
  { "贸易", 20 }, { "科技", 20 }, { "电子", 10 }, { "食品", 10 }, { "服饰", 8 },
  { "物流", 8 }, { "建材", 6 }, { "医药", 6 }, { "文化传媒", 6 },
  { "餐饮管理", 6 }, { "信息技术", 10 }, { "机械设备", 6 }, { "家居", 6 },
  { "商贸", 10 }, { "实业", 8 },
};

static const Weighted cn_company_suffixes[] = {
  { "有限公司", 60 }, { "股份有限公司", 15 }, { "集团有限公司", 8 },
  { "有限责任公司", 17 },
};

static const Weighted en_brands[] = {
  { "Acme", 10 }, { "Pacific", 10 }, { "Golden Gate", 8 }, { "Silverline", 8 },
  { "Bluewater", 8 }, { "Northstar", 8 }, { "Evergreen", 8 }, { "Summit", 8 },
  { "Horizon", 8 }, { "Redwood", 8 }, { "Sterling", 8 }, { "Apex", 8 },
  { "Crescent", 8 }, { "Harbor", 8 }, { "Liberty", 8 },
};

static const Weighted en_industries[] = {
  { "Trading", 20 }, { "Technologies", 15 }, { "Logistics", 10 },
  { "Foods", 8 }, { "Apparel", 8 }, { "Consulting", 10 },
  { "Electronics", 10 }, { "Healthcare", 6 }, { "Industries", 8 },
  { "Imports", 8 },
};

static const Weighted en_company_suffixes[] = {
  { "Ltd", 40 }, { "Co., Ltd.", 25 }, { "Inc.", 15 }, { "LLC", 10 },
  { "Group", 10 },
};

static const Weighted cn_titles[] = {
  { "总经理", 8 }, { "副总经理", 6 }, { "采购经理", 20 }, { "采购专员", 15 },
  { "行政主管", 12 }, { "财务总监", 5 }, { "市场总监", 6 }, { "销售经理", 10 },
  { "技术总监", 5 }, { "人事经理", 6 }, { "办公室主任", 7 },
};

static const Weighted en_titles[] = {
  { "Purchasing Manager", 20 }, { "Office Manager", 15 }, { "CEO", 5 },
  { "CFO", 5 }, { "Marketing Director", 8 }, { "Operations Manager", 10 },
  { "Procurement Specialist", 12 },
};

static const Weighted cn_occupations[] = {
  { "教师", 10 }, { "医生", 6 }, { "护士", 6 }, { "工程师", 10 },
  { "软件工程师", 10 }, { "会计", 8 }, { "律师", 3 }, { "公务员", 6 },
  { "销售", 10 }, { "设计师", 6 }, { "个体经营者", 10 }, { "自由职业者", 6 },
  { "学生", 8 }, { "退休人员", 6 }, { "企业管理者", 6 }, { "银行职员", 5 },
  { "厨师", 3 }, { "司机", 4 }, { "客服专员", 3 }, { "研究员", 3 },
};

static const Weighted en_occupations[] = {
  { "Engineer", 10 }, { "Teacher", 8 }, { "Consultant", 8 }, { "Designer", 6 },
  { "Accountant", 6 }, { "Doctor", 4 }, { "Student", 6 }, { "Manager", 10 },
  { "Entrepreneur", 5 }, { "Researcher", 4 },
};

static const Weighted sources[] = {
  { "官网", 12 }, { "微信公众号", 14 }, { "朋友推荐", 12 }, { "展会", 5 },
  { "线下门店", 14 }, { "电话咨询", 5 }, { "天猫", 14 }, { "京东", 10 },
  { "抖音", 8 }, { "百度推广", 4 }, { "老客户转介绍", 6 },
};

static const Weighted roads[] = {
  { "人民路", 10 }, { "中山路", 10 }, { "解放路", 8 }, { "建设路", 8 },
  { "和平路", 6 }, { "新华路", 6 }, { "长江路", 5 }, { "黄河路", 4 },
  { "世纪大道", 4 }, { "南京路", 4 }, { "延安路", 5 }, { "滨江大道", 3 },
  { "科技园路", 4 }, { "学府路", 4 }, { "东风路", 5 }, { "青年路", 4 },
};

static const Weighted person_notes[] = {
  { "偏好周末联系", 10 }, { "对价格较敏感，关注促销活动", 12 },
  { "需要开具增值税普通发票", 6 }, { "喜欢新品首发，可优先通知", 8 },
  { "工作日白天不方便接电话", 8 }, { "老客户介绍而来", 6 },
  { "对售后服务要求较高", 6 }, { "Prefers English communication", 3 },
};

static const Weighted org_notes[] = {
  { "需要开具增值税专用发票", 10 }, { "月结客户，账期30天", 8 },
  { "采购需走OA审批流程", 6 }, { "每年第四季度集中采购", 6 },
};

/* ---------------------------------------------------------------------- */
/* Products and channels */

typedef enum
{
  SEASON_ANY,
  SEASON_WINTER,
  SEASON_SUMMER,
  SEASON_SPRING_FESTIVAL,
  SEASON_MID_AUTUMN,
} Season;

typedef struct
{
  const char *name;
  guint low;      /* yuan */
  guint high;
  Season season;
} Product;

typedef struct
{
  const char *name;
  guint weight;
  gboolean business;   /* what organizations buy */
  const Product *products;
  guint n_products;
} Category;

static const Product digital[] = {
  { "智能手机", 1499, 6999, SEASON_ANY }, { "蓝牙耳机", 149, 1299, SEASON_ANY },
  { "平板电脑", 1999, 5999, SEASON_ANY }, { "智能手表", 599, 2999, SEASON_ANY },
  { "移动电源", 79, 299, SEASON_ANY }, { "机械键盘", 199, 899, SEASON_ANY },
};
static const Product appliances[] = {
  { "空气净化器", 899, 3999, SEASON_ANY }, { "扫地机器人", 1299, 4999, SEASON_ANY },
  { "电饭煲", 199, 1299, SEASON_ANY }, { "电热水壶", 79, 299, SEASON_ANY },
  { "取暖器", 199, 699, SEASON_WINTER }, { "电风扇", 149, 599, SEASON_SUMMER },
  { "空调", 2499, 6999, SEASON_SUMMER },
};
static const Product clothing[] = {
  { "羽绒服", 399, 1999, SEASON_WINTER }, { "运动鞋", 299, 1299, SEASON_ANY },
  { "衬衫", 129, 499, SEASON_ANY }, { "连衣裙", 199, 899, SEASON_SUMMER },
  { "双肩包", 149, 699, SEASON_ANY }, { "羊毛衫", 299, 999, SEASON_WINTER },
};
static const Product beauty[] = {
  { "面霜", 199, 1299, SEASON_ANY }, { "口红", 149, 399, SEASON_ANY },
  { "精华液", 299, 1599, SEASON_ANY }, { "洗面奶", 59, 199, SEASON_ANY },
  { "香水", 399, 1299, SEASON_ANY }, { "电动牙刷", 199, 699, SEASON_ANY },
};
static const Product food[] = {
  { "茶叶礼盒", 199, 1999, SEASON_ANY }, { "坚果礼盒", 99, 299, SEASON_SPRING_FESTIVAL },
  { "白酒", 299, 2999, SEASON_SPRING_FESTIVAL }, { "月饼礼盒", 99, 699, SEASON_MID_AUTUMN },
  { "进口红酒", 129, 999, SEASON_ANY }, { "年货大礼包", 199, 899, SEASON_SPRING_FESTIVAL },
};
static const Product baby[] = {
  { "婴儿奶粉", 199, 499, SEASON_ANY }, { "纸尿裤", 99, 199, SEASON_ANY },
  { "儿童安全座椅", 599, 2499, SEASON_ANY },
};
static const Product home[] = {
  { "床上四件套", 299, 999, SEASON_ANY }, { "保温杯", 99, 299, SEASON_ANY },
  { "乳胶枕", 199, 599, SEASON_ANY }, { "收纳箱", 49, 199, SEASON_ANY },
};
static const Product office[] = {
  { "激光打印机", 999, 3999, SEASON_ANY }, { "人体工学椅", 699, 2999, SEASON_ANY },
  { "A4复印纸（箱）", 129, 229, SEASON_ANY }, { "办公文具套装", 59, 199, SEASON_ANY },
};

static const Category categories[] = {
  { "数码电子", 22, TRUE, digital, G_N_ELEMENTS (digital) },
  { "家用电器", 15, FALSE, appliances, G_N_ELEMENTS (appliances) },
  { "服装鞋包", 18, FALSE, clothing, G_N_ELEMENTS (clothing) },
  { "美妆个护", 14, FALSE, beauty, G_N_ELEMENTS (beauty) },
  { "食品饮料", 12, TRUE, food, G_N_ELEMENTS (food) },
  { "母婴用品", 6, FALSE, baby, G_N_ELEMENTS (baby) },
  { "家居日用", 9, FALSE, home, G_N_ELEMENTS (home) },
  { "办公用品", 4, TRUE, office, G_N_ELEMENTS (office) },
};

typedef struct
{
  const char *name;
  const char *ref_prefix;
  guint weight;
} Channel;

static const Channel channels[] = {
  { "天猫旗舰店", "TM", 30 }, { "京东自营", "JD", 22 }, { "微信小程序", "WX", 15 },
  { "线下门店", "MD", 18 }, { "抖音直播", "DY", 10 }, { "电话订购", "DH", 5 },
};
static const Channel business_channel = { "企业采购", "QY", 0 };

/* Spring Festival (the first day of the lunar year), for seasonality. */
static const char * const spring_festivals[] = {
  "2015-02-19", "2016-02-08", "2017-01-28", "2018-02-16", "2019-02-05",
  "2020-01-25", "2021-02-12", "2022-02-01", "2023-01-22", "2024-02-10",
  "2025-01-29", "2026-02-17", "2027-02-06", "2028-01-26", "2029-02-13",
  "2030-02-03", "2031-01-23", "2032-02-11", "2033-01-31", "2034-02-19",
  "2035-02-08",
};

/* Local hour of a purchase: evenings are busiest. */
static const guint purchase_hours[24] = {
  3, 1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 5, 6, 5, 5, 5, 5, 5, 6, 7, 9, 10, 8, 5,
};

/* ---------------------------------------------------------------------- */
/* Service, sales and survey texts */

typedef struct
{
  const char *kind;
  guint weight;
  const char * const *subjects;
} ActivityKind;

static const char * const call_subjects[] = {
  "电话回访：确认收货情况", "电话沟通新品需求", "售后满意度回访", "生日问候电话",
  "会员权益说明", "电话邀约参加新品发布会", NULL,
};
static const char * const email_subjects[] = {
  "发送产品报价单", "发送电子发票", "发送会员活动邀请", "回复客户咨询",
  "发送新品目录", NULL,
};
static const char * const meeting_subjects[] = {
  "产品演示会议", "年度合作洽谈", "需求沟通会", "季度业务回顾", NULL,
};
static const char * const visit_subjects[] = {
  "上门拜访，介绍新品", "客户到店体验", "上门安装调试", "节日走访送礼", NULL,
};
static const char * const note_subjects[] = {
  "客户反映价格偏高", "客户计划年底追加采购", "客户对服务很满意",
  "客户更换了联系电话", "客户希望开通月结", NULL,
};
static const char * const task_subjects[] = {
  "准备报价方案", "寄送样品", "安排回访", "更新客户资料", "跟进未完成订单",
  "发送节日祝福", NULL,
};

static const ActivityKind activity_kinds[] = {
  { "call", 35, call_subjects },
  { "email", 18, email_subjects },
  { "meeting", 7, meeting_subjects },
  { "visit", 10, visit_subjects },
  { "note", 16, note_subjects },
  { "task", 14, task_subjects },
};

static const Weighted complaint_subjects[] = {
  { "产品质量问题", 30 }, { "物流延迟", 25 }, { "收到商品与描述不符", 12 },
  { "退换货处理慢", 15 }, { "客服态度问题", 8 }, { "发票开具错误", 5 },
  { "缺少配件", 5 },
};

static const Weighted complaint_resolutions[] = {
  { "已为客户更换新品", 25 }, { "已全额退款", 20 }, { "已补发配件并致歉", 12 },
  { "已重新开具发票", 5 }, { "已赠送优惠券作为补偿", 20 },
  { "已向物流公司催件，客户已收货", 18 },
};

static const Weighted lost_reasons[] = {
  { "价格高于竞争对手", 30 }, { "选择了竞争对手", 25 }, { "预算削减", 15 },
  { "需求取消", 10 }, { "长期无回应", 15 }, { "决策人变更", 5 },
};

static const Weighted survey_comments[] = {
  { "物流很快，包装完好", 15 }, { "客服回复及时，态度很好", 12 },
  { "价格可以再优惠一些", 15 }, { "希望增加更多款式", 10 },
  { "售后处理太慢了", 8 }, { "产品质量很好，会继续购买", 15 },
  { "小程序下单有时卡顿", 6 }, { "会员积分规则不清楚", 6 },
  { "Great service, fast delivery", 3 },
};

static const Weighted response_channels[] = {
  { "email", 25 }, { "sms", 20 }, { "wechat", 40 }, { "web", 15 },
};

static const Weighted tags_common[] = {
  { "会员", 30 }, { "价格敏感", 15 }, { "高潜力", 10 }, { "生日关怀", 10 },
  { "线上客户", 20 }, { "线下客户", 15 }, { "新品尝鲜", 8 },
};

typedef struct
{
  const char *name;
  guint probability;   /* % */
  gboolean won;
  gboolean lost;
} StageSpec;

typedef struct
{
  const char *name;
  gboolean is_default;
  StageSpec stages[6];
} PipelineSpec;

/* The open stages come first, then won, then lost. */
static const PipelineSpec pipeline_specs[] = {
  { "新客户开发", TRUE, {
      { "初步接触", 10, FALSE, FALSE }, { "需求确认", 25, FALSE, FALSE },
      { "方案报价", 50, FALSE, FALSE }, { "商务谈判", 75, FALSE, FALSE },
      { "赢单", 100, TRUE, FALSE }, { "输单", 0, FALSE, TRUE } } },
  { "续约", FALSE, {
      { "续约提醒", 30, FALSE, FALSE }, { "续约沟通", 60, FALSE, FALSE },
      { "合同审批", 85, FALSE, FALSE }, { "已续约", 100, TRUE, FALSE },
      { "未续约", 0, FALSE, TRUE }, { NULL, 0, FALSE, FALSE } } },
};

typedef struct
{
  const char *username;
  const char *display_name;
  const char *role;
  int team;             /* index in team_names, or -1 */
} UserSpec;

static const char * const team_names[] = {
  "华东销售组", "华南销售组", "华北销售组", "客户服务组",
};

static const UserSpec user_specs[] = {
  { "demo.huangjianguo", "黄建国", "manager", 0 },
  { "demo.zhouting", "周婷", "sales", 0 },
  { "demo.chenhao", "陈浩", "sales", 0 },
  { "demo.lina", "李娜", "sales", 0 },
  { "demo.wanglei", "王磊", "sales", 1 },
  { "demo.liuyang", "刘洋", "sales", 1 },
  { "demo.zhaomin", "赵敏", "sales", 2 },
  { "demo.sunjie", "孙杰", "sales", 2 },
  { "demo.linfang", "林芳", "service", 3 },
  { "demo.heqiang", "何强", "service", 3 },
  { "demo.zhengli", "郑丽", "service", 3 },
  { "demo.fengxue", "冯雪", "marketing", -1 },
};

#define SURVEY_TITLE "客户满意度调查"

/* ---------------------------------------------------------------------- */
/* The generator's state */

typedef struct
{
  const Weighted *items;
  guint n;
  guint *cumulative;
  guint total;
} Picker;

typedef enum
{
  ARCH_LEAD,
  ARCH_FIRST_TIME,
  ARCH_ACTIVE,
  ARCH_FREQUENT,
  ARCH_DORMANT,
  ARCH_CHURNED,
} Archetype;

typedef struct
{
  char id[37];
  char name[160];
  char domain[64];
  guint city;
  gboolean english;
} Organization;

typedef struct
{
  gint64 ts;              /* UTC seconds */
  guint ms;
  const Category *category;
  const Product *product;
  gint64 quantity;
  gint64 amount;          /* fen */
  const Channel *channel;
} Purchase;

typedef struct
{
  char id[37];
  gint64 ts;
} StoredPurchase;

typedef struct
{
  CrmStore *store;
  GRand *rand;
  const CrmDemoOptions *opts;
  CrmDemoStats stats;
  const char *client_id;

  gint64 ref_day;         /* days since 1970-01-01 */
  gint64 start_day;        /* of the purchase history */
  gint64 first_contact_day;
  guint n_days;
  double *day_cdf;
  gint64 spring_festivals[G_N_ELEMENTS (spring_festivals)];
  guint id_bits;          /* for the unique numbers in emails */

  Picker cn_surnames, cn_male, cn_female, en_male, en_female, en_surnames;
  Picker cn_email_domains, en_email_domains;
  Picker cn_brands, cn_industries, cn_suffixes, en_brands, en_industries, en_suffixes;
  Picker cn_titles, en_titles, cn_occupations, en_occupations, sources, roads;
  Picker person_notes, org_notes, complaint_subjects, complaint_resolutions;
  Picker lost_reasons, survey_comments, response_channels, tags_common;
  guint *city_cumulative;
  guint city_total;
  guint category_total;
  guint channel_total;
  guint activity_total;

  GPtrArray *sales_ids;
  GPtrArray *service_ids;
  char pipeline_ids[G_N_ELEMENTS (pipeline_specs)][37];
  char stage_ids[G_N_ELEMENTS (pipeline_specs)][6][37];
  guint n_stages[G_N_ELEMENTS (pipeline_specs)];
  char survey_id[37];
  char question_ids[3][37];   /* nps, csat, text */
  gint64 survey_opens_day;

  GArray *organizations;      /* Organization */
  GArray *purchases;          /* StoredPurchase of the current contact */
  guint64 order_counter;

  CrmCachedStmt *contact_stmt;
  CrmCachedStmt *purchase_stmt;
  CrmCachedStmt *activity_stmt;
  CrmCachedStmt *deal_stmt;
  CrmCachedStmt *history_stmt;
  CrmCachedStmt *response_stmt;
  CrmCachedStmt *answer_stmt;
} Demo;

static const char insert_contact_sql[] =
  "INSERT INTO contacts (id, created_at, updated_at, owner_id, kind, name,"
  " name_pinyin, name_initials, name_sort, gender, birthday, occupation,"
  " organization_id, title, emails, phones, address, province, city, source,"
  " tags, consent_email, consent_email_at, consent_sms, consent_sms_at, notes,"
  " external_id)"
  " VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
  " ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)";

static const char insert_purchase_sql[] =
  "INSERT INTO purchases (id, created_at, updated_at, owner_id, contact_id,"
  " product, category, quantity, amount, currency, purchased_at, channel, order_ref)"
  " VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'CNY', ?9, ?10, ?11)";

static const char insert_activity_sql[] =
  "INSERT INTO activities (id, created_at, updated_at, owner_id, contact_id,"
  " deal_id, kind, subject, body, due_at, done_at, assignee_id, priority, status,"
  " first_response_at, resolved_at, resolution, satisfaction)"
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
  " ?16, ?17, ?18)";

static const char insert_deal_sql[] =
  "INSERT INTO deals (id, created_at, updated_at, owner_id, contact_id,"
  " pipeline_id, stage_id, title, amount, currency, expected_close, closed_at,"
  " lost_reason)"
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'CNY', ?10, ?11, ?12)";

static const char insert_history_sql[] =
  "INSERT INTO deal_stage_history (id, created_at, updated_at, owner_id,"
  " deal_id, from_stage_id, to_stage_id, at, by_user_id)"
  " VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?3)";

static const char insert_response_sql[] =
  "INSERT INTO survey_responses (id, created_at, updated_at, owner_id,"
  " survey_id, contact_id, channel, submitted_at)"
  " VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7)";

static const char insert_answer_sql[] =
  "INSERT INTO survey_answers (id, created_at, updated_at, owner_id,"
  " response_id, question_id, value_number, value_text)"
  " VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7)";

/* ---------------------------------------------------------------------- */
/* Random helpers */

static void
picker_init (Picker         *p,
             const Weighted *items,
             guint           n)
{
  p->items = items;
  p->n = n;
  p->cumulative = g_new (guint, n);
  p->total = 0;
  for (guint i = 0; i < n; i++)
    {
      p->total += items[i].weight;
      p->cumulative[i] = p->total;
    }
}

static void
picker_clear (Picker *p)
{
  g_clear_pointer (&p->cumulative, g_free);
}

/* The index whose cumulative weight is the first above @r (< total). */
static guint
cumulative_find (const guint *cumulative,
                 guint        n,
                 guint        r)
{
  guint lo = 0, hi = n - 1;

  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;

      if (cumulative[mid] > r)
        hi = mid;
      else
        lo = mid + 1;
    }
  return lo;
}

static const char *
pick (Demo   *d,
      Picker *p)
{
  guint r = g_rand_int_range (d->rand, 0, p->total);

  return p->items[cumulative_find (p->cumulative, p->n, r)].text;
}

static double
rnd (Demo *d)
{
  return g_rand_double (d->rand);
}

static gboolean
chance (Demo   *d,
        double  p)
{
  return g_rand_double (d->rand) < p;
}

/* Inclusive on both ends. */
static gint64
rnd_range (Demo   *d,
           gint64  lo,
           gint64  hi)
{
  if (hi <= lo)
    return lo;
  return lo + (gint64) (g_rand_double (d->rand) * (double) (hi - lo + 1));
}

static guint
poisson (Demo   *d,
         double  mean)
{
  /* Knuth's method is exact and fast for the small means used here. */
  double limit = exp (-MIN (mean, 30.0));
  double product = rnd (d);
  guint k = 0;

  while (product > limit && k < 200)
    {
      product *= rnd (d);
      k++;
    }
  return k;
}

/* A log-normal duration in seconds with the given median and spread. */
static gint64
lognormal_seconds (Demo   *d,
                   double  median,
                   double  sigma)
{
  /* Box–Muller. */
  double u1 = MAX (rnd (d), 1e-12);
  double u2 = rnd (d);
  double z = sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2);

  return (gint64) (median * exp (sigma * z));
}

/* ---------------------------------------------------------------------- */
/* Dates: days since 1970-01-01, seconds since the epoch in UTC */

static gint64
days_from_civil (int      y,
                 unsigned m,
                 unsigned dd)
{
  gint64 era;
  unsigned yoe, doy, doe;

  /* Howard Hinnant's algorithm, proleptic Gregorian calendar. */
  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = (unsigned) (y - era * 400);
  doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + dd - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (gint64) doe - 719468;
}

static void
civil_from_days (gint64    z,
                 int      *out_y,
                 unsigned *out_m,
                 unsigned *out_d)
{
  gint64 era;
  unsigned doe, yoe, doy, mp;

  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = (unsigned) (z - era * 146097);
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *out_d = doy - (153 * mp + 2) / 5 + 1;
  *out_m = mp < 10 ? mp + 3 : mp - 9;
  *out_y = (int) (yoe + era * 400) + (*out_m <= 2);
}

static gboolean
parse_date (const char *text,
            gint64     *out_day)
{
  int y;
  unsigned m, dd;
  int y2;
  unsigned m2, d2;

  if (text == NULL || strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return FALSE;
  for (guint i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (text[i]))
      return FALSE;

  y = atoi (text);
  m = (unsigned) atoi (text + 5);
  dd = (unsigned) atoi (text + 8);
  if (y < 1971 || y > 9000 || m < 1 || m > 12 || dd < 1 || dd > 31)
    return FALSE;

  *out_day = days_from_civil (y, m, dd);
  civil_from_days (*out_day, &y2, &m2, &d2);
  return y2 == y && m2 == m && d2 == dd;
}

static void
format_date (char   *buf,
             gsize   size,
             gint64  day)
{
  int y;
  unsigned m, dd;

  civil_from_days (day, &y, &m, &dd);
  g_snprintf (buf, size, "%04d-%02u-%02u", y, m, dd);
}

static void
format_timestamp (char   *buf,
                  gsize   size,
                  gint64  ts)
{
  gint64 day = ts >= 0 ? ts / SECONDS_PER_DAY : (ts - SECONDS_PER_DAY + 1) / SECONDS_PER_DAY;
  gint64 secs = ts - day * SECONDS_PER_DAY;
  int y;
  unsigned m, dd;

  civil_from_days (day, &y, &m, &dd);
  g_snprintf (buf, size, "%04d-%02u-%02uT%02d:%02d:%02dZ", y, m, dd,
              (int) (secs / 3600), (int) (secs / 60 % 60), (int) (secs % 60));
}

/* created_at and updated_at are hybrid logical clock values of this
 * replica (crm-hlc.h), dated when the demo says the row was made. */
static void
format_hlc (Demo   *d,
            char   *buf,
            gsize   size,
            gint64  ts,
            guint   ms)
{
  gint64 day = ts / SECONDS_PER_DAY;
  gint64 secs = ts - day * SECONDS_PER_DAY;
  int y;
  unsigned m, dd;

  civil_from_days (day, &y, &m, &dd);
  g_snprintf (buf, size, "%04d-%02u-%02uT%02d:%02d:%02d.%03uZ-0000-%s", y, m, dd,
              (int) (secs / 3600), (int) (secs / 60 % 60), (int) (secs % 60),
              ms, d->client_id);
}

/* Local (China) midnight of @day plus @local_secs, in UTC seconds. */
static gint64
local_ts (gint64 day,
          gint64 local_secs)
{
  return day * SECONDS_PER_DAY + local_secs - CHINA_UTC_OFFSET;
}

static gint64
ts_local_day (gint64 ts)
{
  return (ts + CHINA_UTC_OFFSET) / SECONDS_PER_DAY;
}

static int
month_of (gint64 day)
{
  int y;
  unsigned m, dd;

  civil_from_days (day, &y, &m, &dd);
  return (int) m;
}

static gint64
spring_festival_near (Demo   *d,
                      gint64  day)
{
  gint64 best = d->spring_festivals[0];

  /* The festival that this day leads up to or follows most closely. */
  for (guint i = 0; i < G_N_ELEMENTS (d->spring_festivals); i++)
    if (ABS (d->spring_festivals[i] - day) < ABS (best - day))
      best = d->spring_festivals[i];
  return best;
}

/* How busy a day is for sales: the shopping festivals of the Chinese
 * retail year (Double 11, 618, Double 12), the weeks of buying before the
 * Spring Festival and the quiet holiday after it, weekends, and a steady
 * growth of the business over the years. */
static double
day_weight (Demo   *d,
            gint64  day)
{
  int y;
  unsigned m, dd;
  gint64 cny = spring_festival_near (d, day);
  gint64 to_cny = cny - day;
  int weekday = (int) ((day + 4) % 7);   /* 0 = Sunday */
  double w = 1.0;

  civil_from_days (day, &y, &m, &dd);

  if (m == 11 && dd == 11)
    w *= 9.0;
  else if (m == 11 && dd < 11)
    w *= 1.6;
  else if (m == 11 && dd <= 13)
    w *= 1.5;
  else if (m == 6 && dd == 18)
    w *= 5.0;
  else if (m == 6 && dd < 18)
    w *= 1.5;
  else if (m == 12 && dd == 12)
    w *= 3.0;
  else if ((m == 5 && dd == 20) || (m == 2 && dd == 14))
    w *= 1.8;

  if (to_cny >= 8 && to_cny <= 25)
    w *= 2.0;
  else if (to_cny >= 1 && to_cny < 8)
    w *= 1.2;
  else if (to_cny <= 0 && to_cny > -7)
    w *= 0.35;

  if (weekday == 0 || weekday == 6)
    w *= 1.25;

  return w * (1.0 + 0.25 * (double) (day - d->start_day) / 365.0);
}

static void
build_calendar (Demo *d)
{
  double sum = 0;

  d->n_days = (guint) (d->ref_day - d->start_day + 1);
  d->day_cdf = g_new (double, d->n_days);
  for (guint i = 0; i < d->n_days; i++)
    {
      sum += day_weight (d, d->start_day + i);
      d->day_cdf[i] = sum;
    }
}

/* A day in [@lo, @hi], busy days more likely. */
static gint64
sample_day (Demo   *d,
            gint64  lo,
            gint64  hi)
{
  guint a, b, i;
  double base, top, u;

  lo = CLAMP (lo, d->start_day, d->ref_day);
  hi = CLAMP (hi, d->start_day, d->ref_day);
  if (hi <= lo)
    return lo;

  a = (guint) (lo - d->start_day);
  b = (guint) (hi - d->start_day);
  base = a > 0 ? d->day_cdf[a - 1] : 0.0;
  top = d->day_cdf[b];
  u = base + rnd (d) * (top - base);

  /* The first day whose cumulative weight exceeds u. */
  while (a < b)
    {
      i = (a + b) / 2;
      if (d->day_cdf[i] > u)
        b = i;
      else
        a = i + 1;
    }
  return d->start_day + a;
}

static gboolean
in_season (Demo           *d,
           const Product  *product,
           gint64          day)
{
  int m = month_of (day);
  gint64 to_cny;

  switch (product->season)
    {
    case SEASON_WINTER:
      return m >= 11 || m <= 2;
    case SEASON_SUMMER:
      return m >= 5 && m <= 8;
    case SEASON_SPRING_FESTIVAL:
      to_cny = spring_festival_near (d, day) - day;
      return to_cny >= 0 && to_cny <= 35;
    case SEASON_MID_AUTUMN:
      return m == 8 || m == 9;
    case SEASON_ANY:
    default:
      return TRUE;
    }
}

/* ---------------------------------------------------------------------- */
/* Writing rows (every text bound lives until the statement is stepped) */

static gboolean
step (Demo          *d,
      sqlite3_stmt  *stmt,
      GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (d->store, rc, error);
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  return TRUE;
}

static void
new_id (char *buf)
{
  g_autofree char *id = crm_uuid_v7_new ();

  memcpy (buf, id, 37);
}

static const char *
random_owner (Demo *d)
{
  return g_ptr_array_index (d->sales_ids, g_rand_int_range (d->rand, 0, d->sales_ids->len));
}

static gboolean
prepare_statements (Demo    *d,
                    GError **error)
{
  return (d->contact_stmt = crm_store_prepare (d->store, insert_contact_sql, error)) != NULL &&
         (d->purchase_stmt = crm_store_prepare (d->store, insert_purchase_sql, error)) != NULL &&
         (d->activity_stmt = crm_store_prepare (d->store, insert_activity_sql, error)) != NULL &&
         (d->deal_stmt = crm_store_prepare (d->store, insert_deal_sql, error)) != NULL &&
         (d->history_stmt = crm_store_prepare (d->store, insert_history_sql, error)) != NULL &&
         (d->response_stmt = crm_store_prepare (d->store, insert_response_sql, error)) != NULL &&
         (d->answer_stmt = crm_store_prepare (d->store, insert_answer_sql, error)) != NULL;
}

static void
release_statements (Demo *d)
{
  g_clear_pointer (&d->contact_stmt, crm_cached_stmt_release);
  g_clear_pointer (&d->purchase_stmt, crm_cached_stmt_release);
  g_clear_pointer (&d->activity_stmt, crm_cached_stmt_release);
  g_clear_pointer (&d->deal_stmt, crm_cached_stmt_release);
  g_clear_pointer (&d->history_stmt, crm_cached_stmt_release);
  g_clear_pointer (&d->response_stmt, crm_cached_stmt_release);
  g_clear_pointer (&d->answer_stmt, crm_cached_stmt_release);
}

/* ---------------------------------------------------------------------- */
/* Setup: users, teams, pipelines, the survey. Found by name when a
 * previous run made them, so running the generator twice adds contacts
 * without duplicating the people who own them. */

static gboolean
find_id (Demo        *d,
         const char  *sql,
         const char  *key,
         const char  *key2,
         char        *out_id,
         GError     **error)
{
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (d->store, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  crm_stmt_bind_static_text (stmt, 1, key);
  if (key2 != NULL)
    crm_stmt_bind_static_text (stmt, 2, key2);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      g_strlcpy (out_id, (const char *) sqlite3_column_text (stmt, 0), 37);
      return TRUE;
    }
  out_id[0] = '\0';
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (d->store, rc, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
insert_row (Demo        *d,
            const char  *sql,
            const char  *const *values,
            guint        n_values,
            GError     **error)
{
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (d->store, sql, error);

  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < n_values; i++)
    crm_stmt_bind_static_text (stmt, i + 1, values[i]);
  return step (d, stmt, error);
}

static gboolean
setup_users (Demo    *d,
             GError **error)
{
  static const char find_role_sql[] =
    "SELECT id FROM roles WHERE name = ? AND deleted = 0 ORDER BY created_at LIMIT 1";
  static const char find_team_sql[] =
    "SELECT id FROM teams WHERE name = ? AND deleted = 0 ORDER BY created_at LIMIT 1";
  static const char find_user_sql[] =
    "SELECT id FROM users WHERE username = ? AND deleted = 0 ORDER BY created_at LIMIT 1";
  static const char insert_role_sql[] =
    "INSERT INTO roles (id, created_at, updated_at, name) VALUES (?1, ?2, ?2, ?3)";
  static const char insert_team_sql[] =
    "INSERT INTO teams (id, created_at, updated_at, name) VALUES (?1, ?2, ?2, ?3)";
  static const char set_manager_sql[] =
    "UPDATE teams SET manager_id = ?2 WHERE id = ?1 AND manager_id IS NULL";
  static const char insert_user_sql[] =
    "INSERT INTO users (id, created_at, updated_at, username, display_name, email,"
    " role_id, team_id) VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7)";
  char team_ids[G_N_ELEMENTS (team_names)][37];
  char created[96];

  format_hlc (d, created, sizeof created, local_ts (d->first_contact_day - 30, 9 * 3600), 0);

  for (guint i = 0; i < G_N_ELEMENTS (team_names); i++)
    {
      if (!find_id (d, find_team_sql, team_names[i], NULL, team_ids[i], error))
        return FALSE;
      if (team_ids[i][0] == '\0')
        {
          const char *values[] = { NULL, created, team_names[i] };

          new_id (team_ids[i]);
          values[0] = team_ids[i];
          if (!insert_row (d, insert_team_sql, values, G_N_ELEMENTS (values), error))
            return FALSE;
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (user_specs); i++)
    {
      const UserSpec *u = &user_specs[i];
      char user_id[37];
      char role_id[37];

      if (!find_id (d, find_role_sql, u->role, NULL, role_id, error))
        return FALSE;
      if (role_id[0] == '\0')
        {
          const char *values[] = { NULL, created, u->role };

          new_id (role_id);
          values[0] = role_id;
          if (!insert_row (d, insert_role_sql, values, G_N_ELEMENTS (values), error))
            return FALSE;
        }

      if (!find_id (d, find_user_sql, u->username, NULL, user_id, error))
        return FALSE;
      if (user_id[0] == '\0')
        {
          g_autofree char *email = g_strconcat (u->username + strlen ("demo."), "@example.com", NULL);
          const char *values[] = {
            NULL, created, u->username, u->display_name, email, role_id,
            u->team >= 0 ? team_ids[u->team] : NULL,
          };

          new_id (user_id);
          values[0] = user_id;
          if (!insert_row (d, insert_user_sql, values, G_N_ELEMENTS (values), error))
            return FALSE;
          d->stats.users++;
        }

      if (g_str_equal (u->role, "manager") && u->team >= 0)
        {
          const char *values[] = { team_ids[u->team], user_id };

          if (!insert_row (d, set_manager_sql, values, G_N_ELEMENTS (values), error))
            return FALSE;
        }

      if (g_str_equal (u->role, "sales"))
        g_ptr_array_add (d->sales_ids, g_strdup (user_id));
      else if (g_str_equal (u->role, "service"))
        g_ptr_array_add (d->service_ids, g_strdup (user_id));
    }

  return TRUE;
}

static gboolean
setup_pipelines (Demo    *d,
                 GError **error)
{
  static const char find_pipeline_sql[] =
    "SELECT id FROM pipelines WHERE name = ? AND deleted = 0 ORDER BY created_at LIMIT 1";
  static const char find_stage_sql[] =
    "SELECT id FROM stages WHERE pipeline_id = ? AND name = ? AND deleted = 0 LIMIT 1";
  static const char insert_pipeline_sql[] =
    "INSERT INTO pipelines (id, created_at, updated_at, name, position, is_default)"
    " VALUES (?1, ?2, ?2, ?3, ?4, ?5)";
  static const char insert_stage_sql[] =
    "INSERT INTO stages (id, created_at, updated_at, pipeline_id, name, position,"
    " probability, is_won, is_lost) VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
  char created[96];

  format_hlc (d, created, sizeof created, local_ts (d->first_contact_day - 30, 10 * 3600), 0);

  for (guint p = 0; p < G_N_ELEMENTS (pipeline_specs); p++)
    {
      const PipelineSpec *spec = &pipeline_specs[p];
      char position[16];

      g_snprintf (position, sizeof position, "%u", p);
      if (!find_id (d, find_pipeline_sql, spec->name, NULL, d->pipeline_ids[p], error))
        return FALSE;
      if (d->pipeline_ids[p][0] == '\0')
        {
          const char *values[] = {
            NULL, created, spec->name, position, spec->is_default ? "1" : "0",
          };

          new_id (d->pipeline_ids[p]);
          values[0] = d->pipeline_ids[p];
          if (!insert_row (d, insert_pipeline_sql, values, G_N_ELEMENTS (values), error))
            return FALSE;
        }

      d->n_stages[p] = 0;
      for (guint s = 0; s < G_N_ELEMENTS (spec->stages) && spec->stages[s].name != NULL; s++)
        {
          const StageSpec *stage = &spec->stages[s];
          char *stage_id = d->stage_ids[p][s];

          if (!find_id (d, find_stage_sql, d->pipeline_ids[p], stage->name, stage_id, error))
            return FALSE;
          if (stage_id[0] == '\0')
            {
              char stage_position[16];
              char probability[16];
              const char *values[] = {
                NULL, created, d->pipeline_ids[p], stage->name, stage_position,
                probability, stage->won ? "1" : "0", stage->lost ? "1" : "0",
              };

              g_snprintf (stage_position, sizeof stage_position, "%u", s);
              g_snprintf (probability, sizeof probability, "%u", stage->probability);
              new_id (stage_id);
              values[0] = stage_id;
              if (!insert_row (d, insert_stage_sql, values, G_N_ELEMENTS (values), error))
                return FALSE;
            }
          d->n_stages[p]++;
        }
    }

  return TRUE;
}

static gboolean
setup_survey (Demo    *d,
              GError **error)
{
  static const char find_survey_sql[] =
    "SELECT id FROM surveys WHERE title = ? AND deleted = 0 ORDER BY created_at LIMIT 1";
  static const char find_question_sql[] =
    "SELECT id FROM survey_questions WHERE survey_id = ? AND kind = ? AND deleted = 0"
    " ORDER BY position LIMIT 1";
  static const char insert_survey_sql[] =
    "INSERT INTO surveys (id, created_at, updated_at, title, description, status, opens_at)"
    " VALUES (?1, ?2, ?2, ?3, ?4, 'open', ?5)";
  static const char insert_question_sql[] =
    "INSERT INTO survey_questions (id, created_at, updated_at, survey_id, position,"
    " kind, text, required) VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7)";
  static const char * const kinds[] = { "nps", "csat", "text" };
  static const char * const texts[] = {
    "您有多大可能向朋友或同事推荐我们？（0–10 分）",
    "您对最近一次购物体验的满意程度如何？（1–5 分）",
    "您还有什么意见或建议？",
  };
  char created[96];
  char opens_at[32];

  /* The survey has been open for the last year of the demo. */
  d->survey_opens_day = MAX (d->start_day, d->ref_day - 365);
  format_hlc (d, created, sizeof created, local_ts (d->survey_opens_day - 7, 11 * 3600), 0);
  format_timestamp (opens_at, sizeof opens_at, local_ts (d->survey_opens_day, 0));

  if (!find_id (d, find_survey_sql, SURVEY_TITLE, NULL, d->survey_id, error))
    return FALSE;
  if (d->survey_id[0] == '\0')
    {
      const char *values[] = {
        NULL, created, SURVEY_TITLE,
        "购物后发送给客户的净推荐值（NPS）与满意度（CSAT）调查", opens_at,
      };

      new_id (d->survey_id);
      values[0] = d->survey_id;
      if (!insert_row (d, insert_survey_sql, values, G_N_ELEMENTS (values), error))
        return FALSE;
    }

  for (guint q = 0; q < G_N_ELEMENTS (kinds); q++)
    {
      if (!find_id (d, find_question_sql, d->survey_id, kinds[q], d->question_ids[q], error))
        return FALSE;
      if (d->question_ids[q][0] == '\0')
        {
          char position[16];
          const char *values[] = {
            NULL, created, d->survey_id, position, kinds[q], texts[q], q < 2 ? "1" : "0",
          };

          g_snprintf (position, sizeof position, "%u", q);
          new_id (d->question_ids[q]);
          values[0] = d->question_ids[q];
          if (!insert_row (d, insert_question_sql, values, G_N_ELEMENTS (values), error))
            return FALSE;
        }
    }

  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Contacts */

typedef struct
{
  char id[37];
  char name[160];
  gboolean organization;
  gboolean english;
  const char *owner;
  gint64 created_ts;
  gint64 created_day;
  Archetype archetype;
  guint city;
  guint favourite_category;
} Contact;

static guint
pick_city (Demo *d)
{
  guint r = g_rand_int_range (d->rand, 0, d->city_total);

  return cumulative_find (d->city_cumulative, G_N_ELEMENTS (cities), r);
}

static const Category *
pick_category (Demo     *d,
               gboolean  business)
{
  for (;;)
    {
      guint r = g_rand_int_range (d->rand, 0, d->category_total);
      guint acc = 0;

      for (guint i = 0; i < G_N_ELEMENTS (categories); i++)
        {
          acc += categories[i].weight;
          if (r < acc)
            {
              if (!business || categories[i].business)
                return &categories[i];
              break;
            }
        }
    }
}

static guint
category_index (const Category *c)
{
  return (guint) (c - categories);
}

static const Channel *
pick_channel (Demo *d)
{
  guint r = g_rand_int_range (d->rand, 0, d->channel_total);
  guint acc = 0;

  for (guint i = 0; i < G_N_ELEMENTS (channels); i++)
    {
      acc += channels[i].weight;
      if (r < acc)
        return &channels[i];
    }
  return &channels[0];
}

/* A bijection of [0, 2^bits): numbers that look random but never repeat,
 * so emails and phone numbers made from them are unique. */
static guint64
scramble (guint64 i,
          guint   bits)
{
  guint64 mask = (G_GUINT64_CONSTANT (1) << bits) - 1;

  i &= mask;
  i = (i * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15)) & mask;
  i ^= i >> (bits / 2);
  i = (i * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9)) & mask;
  return i;
}

static void
make_person_name (Demo     *d,
                  Contact  *c,
                  gboolean  male,
                  char     *email_local,
                  gsize     email_local_size)
{
  if (c->english)
    {
      const char *first = pick (d, male ? &d->en_male : &d->en_female);
      const char *last = pick (d, &d->en_surnames);
      g_autofree char *first_ascii = crm_pinyin_full (first);
      g_autofree char *last_ascii = crm_pinyin_full (last);

      g_snprintf (c->name, sizeof c->name, "%s %s", first, last);
      g_snprintf (email_local, email_local_size, "%s.%s", first_ascii, last_ascii);
    }
  else
    {
      const char *surname = pick (d, &d->cn_surnames);
      Picker *chars = male ? &d->cn_male : &d->cn_female;
      const char *a = pick (d, chars);
      g_autofree char *full = NULL;

      if (chance (d, 0.25))
        g_snprintf (c->name, sizeof c->name, "%s%s", surname, a);
      else if (!male && chance (d, 0.03))
        g_snprintf (c->name, sizeof c->name, "%s%s%s", surname, a, a);
      else
        {
          const char *b = pick (d, chars);

          while (g_str_equal (a, b))
            b = pick (d, chars);
          g_snprintf (c->name, sizeof c->name, "%s%s%s", surname, a, b);
        }
      full = crm_pinyin_full (c->name);
      g_strlcpy (email_local, full, email_local_size);
    }
}

static void
make_organization_name (Demo         *d,
                        Contact      *c,
                        Organization *org)
{
  const City *city = &cities[c->city];

  if (c->english)
    {
      const char *brand = pick (d, &d->en_brands);
      const char *industry = pick (d, &d->en_industries);
      const char *suffix = pick (d, &d->en_suffixes);
      g_autofree char *domain = g_strconcat (brand, industry, NULL);
      g_autofree char *ascii = crm_pinyin_full (domain);

      g_snprintf (c->name, sizeof c->name, "%s %s %s", brand, industry, suffix);
      g_snprintf (org->domain, sizeof org->domain, "%s.com", ascii);
    }
  else
    {
      const char *brand = pick (d, &d->cn_brands);
      const char *industry = pick (d, &d->cn_industries);
      const char *suffix = pick (d, &d->cn_suffixes);
      g_autofree char *city_initials = NULL;
      g_autofree char *brand_full = NULL;

      g_snprintf (c->name, sizeof c->name, "%s%s%s%s", city->city, brand, industry, suffix);
      crm_pinyin_convert (city->city, CRM_PINYIN_FLAGS_NONE, NULL, &city_initials);
      crm_pinyin_convert (brand, CRM_PINYIN_FLAGS_NONE, &brand_full, NULL);
      g_snprintf (org->domain, sizeof org->domain, "%s%s.com.cn", city_initials, brand_full);
    }
}

static void
append_phone (Demo    *d,
              GString *phones,
              guint64  serial,
              gboolean mobile,
              guint    city)
{
  char e164[32];
  char raw[40];

  if (phones->len > 1)
    g_string_append_c (phones, ',');

  if (mobile || cities[city].area_code == NULL)
    {
      const char *prefix = mobile_prefixes[g_rand_int_range (d->rand, 0, G_N_ELEMENTS (mobile_prefixes))];
      /* 8 digits that are unique per contact: at most one mobile each. */
      guint64 rest = scramble (serial, 26);
      char digits[16];

      g_snprintf (digits, sizeof digits, "%s%08" G_GUINT64_FORMAT, prefix, rest);
      g_snprintf (e164, sizeof e164, "+86%s", digits);
      switch (g_rand_int_range (d->rand, 0, 4))
        {
        case 0:
          g_snprintf (raw, sizeof raw, "%.3s %.4s %.4s", digits, digits + 3, digits + 7);
          break;
        case 1:
          g_snprintf (raw, sizeof raw, "+86 %.3s-%.4s-%.4s", digits, digits + 3, digits + 7);
          break;
        default:
          g_strlcpy (raw, digits, sizeof raw);
          break;
        }
    }
  else
    {
      const char *area = cities[city].area_code;
      guint number = (guint) rnd_range (d, 20000000, 89999999);

      g_snprintf (e164, sizeof e164, "+86%s%u", area, number);
      g_snprintf (raw, sizeof raw, "0%s-%u", area, number);
    }

  g_string_append (phones, "{\"e164\":\"");
  g_string_append (phones, e164);
  g_string_append (phones, "\",\"raw\":\"");
  g_string_append (phones, raw);
  g_string_append (phones, "\"}");
}

static Archetype
pick_archetype (Demo    *d,
                gint64   age_days)
{
  double r = rnd (d);
  Archetype a;

  if (r < 0.17)
    a = ARCH_LEAD;
  else if (r < 0.24)
    a = ARCH_FIRST_TIME;
  else if (r < 0.44)
    a = ARCH_ACTIVE;
  else if (r < 0.64)
    a = ARCH_FREQUENT;
  else if (r < 0.76)
    a = ARCH_DORMANT;
  else
    a = ARCH_CHURNED;

  /* A customer cannot have lapsed for longer than they have existed. */
  if (a == ARCH_CHURNED && age_days < 400)
    a = ARCH_DORMANT;
  if (a == ARCH_DORMANT && age_days < 200)
    a = ARCH_ACTIVE;
  if (a == ARCH_ACTIVE && age_days < 100)
    a = ARCH_FIRST_TIME;
  if (a == ARCH_FREQUENT && age_days < 45)
    a = ARCH_FIRST_TIME;
  return a;
}

static gboolean
write_contact (Demo                *d,
               Contact             *c,
               const Organization  *org,
               GError             **error)
{
  sqlite3_stmt *stmt = d->contact_stmt;
  gboolean male = chance (d, 0.5);
  char email_local[96];
  char created[96];
  char birthday[16];
  char consent_at[32];
  char external_id[32];
  const char *gender = NULL;
  const char *occupation = NULL;
  const char *title = NULL;
  const char *notes = NULL;
  const char *source;
  g_autoptr(GString) emails = g_string_new ("[");
  g_autoptr(GString) phones = g_string_new ("[");
  g_autoptr(GString) tags = g_string_new ("[");
  g_autofree char *address = NULL;
  g_autofree char *pinyin = NULL;
  g_autofree char *initials = NULL;
  g_autofree char *sort_key = NULL;
  gboolean has_email = FALSE, has_phone = FALSE;
  gboolean consent_email = FALSE, consent_sms = FALSE;
  guint64 serial = d->stats.contacts + ((guint64) d->opts->seed << 32);
  Organization new_org = { { 0 }, { 0 }, { 0 }, 0, FALSE };

  if (c->organization)
    {
      make_organization_name (d, c, &new_org);
      g_snprintf (email_local, sizeof email_local, "%s", chance (d, 0.5) ? "info" : "sales");
    }
  else
    {
      make_person_name (d, c, male, email_local, sizeof email_local);
      gender = chance (d, 0.97) ? (male ? "male" : "female") : (chance (d, 0.3) ? "other" : NULL);
    }

  crm_pinyin_convert (c->name, c->organization ? CRM_PINYIN_FLAGS_NONE : CRM_PINYIN_PERSON_NAME,
                      &pinyin, &initials);
  sort_key = crm_pinyin_sort_key (c->name);

  /* Birthday: adults, most between 25 and 50. */
  birthday[0] = '\0';
  if (!c->organization && chance (d, 0.85))
    {
      gint64 age_days = (gint64) ((18.0 + 57.0 * pow (rnd (d), 1.6)) * 365.25);

      format_date (birthday, sizeof birthday, d->ref_day - age_days);
    }

  if (!c->organization)
    {
      if (org != NULL)
        title = pick (d, org->english ? &d->en_titles : &d->cn_titles);
      else if (chance (d, 0.75))
        occupation = pick (d, c->english ? &d->en_occupations : &d->cn_occupations);
    }

  /* Emails: a personal address unique by construction, a work address at
   * the organization's domain, or none. */
  if (c->organization)
    {
      g_string_append_printf (emails, "\"%s@%s\"", email_local, new_org.domain);
      has_email = TRUE;
    }
  else
    {
      if (org != NULL && chance (d, 0.8))
        {
          g_string_append_printf (emails, "\"%s%" G_GUINT64_FORMAT "@%s\"", email_local,
                                  scramble (serial, d->id_bits) % 1000, org->domain);
          has_email = TRUE;
        }
      if (chance (d, org != NULL ? 0.3 : 0.8))
        {
          const char *domain = pick (d, c->english ? &d->en_email_domains : &d->cn_email_domains);

          if (has_email)
            g_string_append_c (emails, ',');
          if (!c->english && g_str_equal (domain, "qq.com") && chance (d, 0.6))
            g_string_append_printf (emails, "\"%" G_GUINT64_FORMAT "@qq.com\"",
                                    10000000 + scramble (serial, 30));
          else
            g_string_append_printf (emails, "\"%s%" G_GUINT64_FORMAT "@%s\"", email_local,
                                    scramble (serial, d->id_bits), domain);
          has_email = TRUE;
        }
    }
  g_string_append_c (emails, ']');

  if (c->organization)
    {
      append_phone (d, phones, serial, FALSE, c->city);
      has_phone = TRUE;
    }
  else if (chance (d, 0.93))
    {
      append_phone (d, phones, serial, TRUE, c->city);
      has_phone = TRUE;
      if (org != NULL && chance (d, 0.3))
        append_phone (d, phones, serial, FALSE, org->city);
    }
  g_string_append_c (phones, ']');

  if (c->organization || chance (d, 0.6))
    {
      const char *road = pick (d, &d->roads);
      guint number = (guint) rnd_range (d, 1, 999);

      if (c->organization)
        address = g_strdup_printf ("%s%u号%u层", road, number, (guint) rnd_range (d, 1, 30));
      else
        address = g_strdup_printf ("%s%u号%u栋%u室", road, number, (guint) rnd_range (d, 1, 20),
                                   (guint) rnd_range (d, 1, 30) * 100 + (guint) rnd_range (d, 1, 6));
    }

  source = pick (d, &d->sources);

  /* Tags: what a salesperson would have noted. */
  if (c->organization)
    g_string_append (tags, "\"企业客户\"");
  if (c->archetype == ARCH_FREQUENT && chance (d, 0.5))
    {
      if (tags->len > 1)
        g_string_append_c (tags, ',');
      g_string_append (tags, chance (d, 0.4) ? "\"VIP\"" : "\"老客户\"");
    }
  if (chance (d, 0.4))
    {
      const char *tag = pick (d, &d->tags_common);

      if (tags->len > 1)
        g_string_append_c (tags, ',');
      crm_json_append_string (tags, tag);
    }
  g_string_append_c (tags, ']');

  if (has_email && chance (d, 0.55))
    consent_email = TRUE;
  if (has_phone && !c->organization && chance (d, 0.65))
    consent_sms = TRUE;
  format_timestamp (consent_at, sizeof consent_at, c->created_ts);

  if (chance (d, 0.1))
    notes = pick (d, c->organization ? &d->org_notes : &d->person_notes);

  external_id[0] = '\0';
  if (chance (d, 0.3))
    g_snprintf (external_id, sizeof external_id, "ERP-%010" G_GUINT64_FORMAT,
                scramble (serial, 33) % G_GUINT64_CONSTANT (10000000000));

  format_hlc (d, created, sizeof created, c->created_ts, (guint) rnd_range (d, 0, 999));

  crm_stmt_bind_static_text (stmt, 1, c->id);
  crm_stmt_bind_static_text (stmt, 2, created);
  crm_stmt_bind_static_text (stmt, 3, c->owner);
  crm_stmt_bind_static_text (stmt, 4, c->organization ? "organization" : "person");
  crm_stmt_bind_static_text (stmt, 5, c->name);
  crm_stmt_bind_static_text (stmt, 6, pinyin);
  crm_stmt_bind_static_text (stmt, 7, initials);
  sqlite3_bind_blob (stmt, 8, sort_key, (int) strlen (sort_key), SQLITE_STATIC);
  crm_stmt_bind_static_text (stmt, 9, gender);
  crm_stmt_bind_static_text (stmt, 10, birthday[0] ? birthday : NULL);
  crm_stmt_bind_static_text (stmt, 11, occupation);
  crm_stmt_bind_static_text (stmt, 12, org != NULL ? org->id : NULL);
  crm_stmt_bind_static_text (stmt, 13, title);
  crm_stmt_bind_static_text (stmt, 14, emails->str);
  crm_stmt_bind_static_text (stmt, 15, phones->str);
  crm_stmt_bind_static_text (stmt, 16, address);
  crm_stmt_bind_static_text (stmt, 17, cities[c->city].province);
  crm_stmt_bind_static_text (stmt, 18, cities[c->city].city);
  crm_stmt_bind_static_text (stmt, 19, source);
  crm_stmt_bind_static_text (stmt, 20, tags->str);
  sqlite3_bind_int (stmt, 21, consent_email);
  crm_stmt_bind_static_text (stmt, 22, consent_email ? consent_at : NULL);
  sqlite3_bind_int (stmt, 23, consent_sms);
  crm_stmt_bind_static_text (stmt, 24, consent_sms ? consent_at : NULL);
  crm_stmt_bind_static_text (stmt, 25, notes);
  crm_stmt_bind_static_text (stmt, 26, external_id[0] ? external_id : NULL);
  if (!step (d, stmt, error))
    return FALSE;

  if (c->organization)
    {
      memcpy (new_org.id, c->id, sizeof new_org.id);
      g_strlcpy (new_org.name, c->name, sizeof new_org.name);
      new_org.city = c->city;
      new_org.english = c->english;
      g_array_append_val (d->organizations, new_org);
      d->stats.organizations++;
    }

  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Purchases */

static gint64
moment_on (Demo    *d,
           Contact *c,
           gint64   day,
           gboolean shopping)
{
  gint64 secs;
  gint64 ts;

  if (shopping)
    {
      guint total = 0, r, acc = 0, hour = 12;
      int y;
      unsigned m, dd;
      gboolean double11;

      /* Double 11 starts at midnight. */
      civil_from_days (day, &y, &m, &dd);
      double11 = m == 11 && dd == 11;
      for (guint h = 0; h < 24; h++)
        total += purchase_hours[h] * (double11 && h == 0 ? 6 : 1);
      r = g_rand_int_range (d->rand, 0, total);
      for (guint h = 0; h < 24; h++)
        {
          acc += purchase_hours[h] * (double11 && h == 0 ? 6 : 1);
          if (r < acc)
            {
              hour = h;
              break;
            }
        }
      secs = hour * 3600 + rnd_range (d, 0, 3599);
    }
  else
    secs = rnd_range (d, 9 * 3600, 18 * 3600);

  ts = local_ts (day, secs);
  /* Nothing happens to a contact before it exists. */
  if (ts <= c->created_ts)
    ts = c->created_ts + rnd_range (d, 60, 3600);
  return ts;
}

static void
add_purchase_days (Demo   *d,
                   GArray *days,
                   guint   n,
                   gint64  lo,
                   gint64  hi)
{
  for (guint i = 0; i < n; i++)
    {
      gint64 day = sample_day (d, lo, hi);

      g_array_append_val (days, day);
    }
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static int
compare_stored_purchases (gconstpointer a,
                          gconstpointer b)
{
  return compare_gint64 (&((const StoredPurchase *) a)->ts, &((const StoredPurchase *) b)->ts);
}

/* The purchase days that make the contact what its archetype says, by the
 * lifecycle rules of DESIGN.md §6 as of the reference day D. */
static GArray *
plan_purchase_days (Demo    *d,
                    Contact *c)
{
  GArray *days = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 D = d->ref_day;
  gint64 first = c->created_day;
  /* Purchases before the history starts are not part of the demo. */
  double older_years = MAX (0.0, (double) (D - 365 - MAX (first, d->start_day)) / 365.0);

  switch (c->archetype)
    {
    case ARCH_FIRST_TIME:
      add_purchase_days (d, days, 1, MAX (first, D - 89), D);
      break;

    case ARCH_ACTIVE:
      /* Bought in the last 180 days, at most twice in the last year, and
       * not a single purchase within 90 days (that is first_time). */
      if (chance (d, 0.5) || older_years <= 0)
        {
          add_purchase_days (d, days, 1, MAX (first, D - 179), D);
          add_purchase_days (d, days, 1, MAX (first, D - 364), D);
        }
      else
        add_purchase_days (d, days, 1, MAX (first, D - 179), D - 91);
      if (older_years > 0)
        add_purchase_days (d, days, poisson (d, 2.0 * older_years), first, D - 365);
      break;

    case ARCH_FREQUENT:
      add_purchase_days (d, days, 3 + poisson (d, 6.0), MAX (first, D - 364), D);
      if (older_years > 0)
        add_purchase_days (d, days, poisson (d, 6.0 * older_years * (0.5 + rnd (d) / 2)),
                           first, D - 365);
      break;

    case ARCH_DORMANT:
      {
        gint64 last = sample_day (d, MAX (first, D - 364), D - 180);

        g_array_append_val (days, last);
        if (chance (d, 0.4))
          add_purchase_days (d, days, 1, MAX (first, D - 364), last);
        if (older_years > 0)
          add_purchase_days (d, days, poisson (d, 1.5 * older_years), first, D - 365);
      }
      break;

    case ARCH_CHURNED:
      add_purchase_days (d, days, 1 + poisson (d, 3.0), first, D - 366);
      break;

    case ARCH_LEAD:
    default:
      break;
    }

  g_array_sort (days, compare_gint64);
  return days;
}

static void
plan_purchase (Demo     *d,
               Contact  *c,
               gint64    day,
               Purchase *p)
{
  const Category *category;
  const Product *product = NULL;
  int y;
  unsigned m, dd;
  gint64 price;
  double discount = 1.0;

  if (!c->organization && chance (d, 0.6))
    category = &categories[c->favourite_category];
  else
    category = pick_category (d, c->organization);

  /* Seasonal goods sell in their season: mooncakes before Mid-Autumn,
   * down jackets in winter. */
  for (guint attempt = 0; attempt < 4; attempt++)
    {
      product = &category->products[g_rand_int_range (d->rand, 0, category->n_products)];
      if (in_season (d, product, day) || chance (d, 0.1))
        break;
    }

  /* Prices end in 9, as shop prices do. */
  price = rnd_range (d, product->low / 10, product->high / 10) * 10 + 9;
  price = CLAMP (price, product->low, product->high);

  /* The Double 11 and 618 festivals are sales. */
  civil_from_days (day, &y, &m, &dd);
  if ((m == 11 && dd <= 11) || (m == 6 && dd <= 18))
    discount = 0.8 + 0.15 * rnd (d);

  if (c->organization)
    p->quantity = rnd_range (d, 2, 50);
  else
    p->quantity = chance (d, 0.8) ? 1 : (chance (d, 0.75) ? 2 : rnd_range (d, 3, 5));

  p->category = category;
  p->product = product;
  p->amount = (gint64) llround ((double) price * 100.0 * discount) * p->quantity;
  p->channel = c->organization ? &business_channel : pick_channel (d);
  p->ts = moment_on (d, c, day, TRUE);
  p->ms = (guint) rnd_range (d, 0, 999);
}

static gboolean
write_purchases (Demo     *d,
                 Contact  *c,
                 GError  **error)
{
  sqlite3_stmt *stmt = d->purchase_stmt;
  g_autoptr(GArray) days = plan_purchase_days (d, c);

  g_array_set_size (d->purchases, 0);

  for (guint i = 0; i < days->len; i++)
    {
      Purchase p;
      StoredPurchase stored;
      char created[96];
      char purchased_at[32];
      char order_ref[40];
      char date[16];

      plan_purchase (d, c, g_array_index (days, gint64, i), &p);
      new_id (stored.id);
      stored.ts = p.ts;

      format_hlc (d, created, sizeof created, p.ts, p.ms);
      format_timestamp (purchased_at, sizeof purchased_at, p.ts);
      format_date (date, sizeof date, ts_local_day (p.ts));
      d->order_counter++;
      g_snprintf (order_ref, sizeof order_ref, "%s%.4s%.2s%.2s%06" G_GUINT64_FORMAT,
                  p.channel->ref_prefix, date, date + 5, date + 8,
                  scramble (d->order_counter, 20) % 1000000);

      crm_stmt_bind_static_text (stmt, 1, stored.id);
      crm_stmt_bind_static_text (stmt, 2, created);
      crm_stmt_bind_static_text (stmt, 3, c->owner);
      crm_stmt_bind_static_text (stmt, 4, c->id);
      crm_stmt_bind_static_text (stmt, 5, p.product->name);
      crm_stmt_bind_static_text (stmt, 6, p.category->name);
      sqlite3_bind_int64 (stmt, 7, p.quantity);
      sqlite3_bind_int64 (stmt, 8, p.amount);
      crm_stmt_bind_static_text (stmt, 9, purchased_at);
      crm_stmt_bind_static_text (stmt, 10, p.channel->name);
      crm_stmt_bind_static_text (stmt, 11, order_ref);
      if (!step (d, stmt, error))
        return FALSE;

      g_array_append_val (d->purchases, stored);
      d->stats.purchases++;
    }

  g_array_sort (d->purchases, compare_stored_purchases);
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Activities and complaints */

static gboolean
write_activity (Demo        *d,
                Contact     *c,
                const char  *deal_id,
                const char  *kind,
                const char  *subject,
                gint64       ts,
                GError     **error)
{
  sqlite3_stmt *stmt = d->activity_stmt;
  char id[37];
  char created[96];
  char updated[96];
  char due_at[32];
  char done_at[32];
  const char *priority = NULL;
  gboolean has_due = FALSE, done = TRUE;
  gint64 done_ts = ts;
  guint ms = (guint) rnd_range (d, 0, 999);

  if (g_str_equal (kind, "task"))
    {
      gint64 due_ts = ts + rnd_range (d, 1, 14) * SECONDS_PER_DAY;
      gint64 end_ts = local_ts (d->ref_day + 1, 0);

      format_timestamp (due_at, sizeof due_at, due_ts);
      has_due = TRUE;
      priority = chance (d, 0.7) ? "normal" : (chance (d, 0.6) ? "high" : "low");
      /* Most tasks get done around their due date; recent ones are open. */
      done_ts = due_ts + rnd_range (d, -3 * SECONDS_PER_DAY, 2 * SECONDS_PER_DAY);
      done_ts = MAX (done_ts, ts + 600);
      done = done_ts < end_ts && chance (d, 0.9);
    }
  else if (g_str_equal (kind, "meeting") || g_str_equal (kind, "visit"))
    done_ts = ts + rnd_range (d, 1800, 3 * 3600);

  new_id (id);
  format_hlc (d, created, sizeof created, ts, ms);
  format_hlc (d, updated, sizeof updated, done ? done_ts : ts, ms);
  format_timestamp (done_at, sizeof done_at, done_ts);

  crm_stmt_bind_static_text (stmt, 1, id);
  crm_stmt_bind_static_text (stmt, 2, created);
  crm_stmt_bind_static_text (stmt, 3, updated);
  crm_stmt_bind_static_text (stmt, 4, c->owner);
  crm_stmt_bind_static_text (stmt, 5, c->id);
  crm_stmt_bind_static_text (stmt, 6, deal_id);
  crm_stmt_bind_static_text (stmt, 7, kind);
  crm_stmt_bind_static_text (stmt, 8, subject);
  sqlite3_bind_null (stmt, 9);
  crm_stmt_bind_static_text (stmt, 10, has_due ? due_at : NULL);
  crm_stmt_bind_static_text (stmt, 11, done ? done_at : NULL);
  crm_stmt_bind_static_text (stmt, 12, c->owner);
  crm_stmt_bind_static_text (stmt, 13, priority);
  for (int i = 14; i <= 18; i++)
    sqlite3_bind_null (stmt, i);
  if (!step (d, stmt, error))
    return FALSE;

  d->stats.activities++;
  return TRUE;
}

static const ActivityKind *
pick_activity_kind (Demo *d)
{
  guint r = g_rand_int_range (d->rand, 0, d->activity_total);
  guint acc = 0;

  for (guint i = 0; i < G_N_ELEMENTS (activity_kinds); i++)
    {
      acc += activity_kinds[i].weight;
      if (r < acc)
        return &activity_kinds[i];
    }
  return &activity_kinds[0];
}

static const char *
pick_subject (Demo               *d,
              const ActivityKind *kind)
{
  guint n = g_strv_length ((char **) kind->subjects);

  return kind->subjects[g_rand_int_range (d->rand, 0, n)];
}

static gboolean
write_activities (Demo     *d,
                  Contact  *c,
                  GError  **error)
{
  double mean;
  guint n;

  switch (c->archetype)
    {
    case ARCH_LEAD:
      mean = 1.5;
      break;
    case ARCH_FREQUENT:
      mean = 3.0;
      break;
    case ARCH_FIRST_TIME:
    case ARCH_ACTIVE:
    case ARCH_DORMANT:
    case ARCH_CHURNED:
    default:
      mean = 1.2;
      break;
    }
  if (c->organization)
    mean *= 2;

  n = poisson (d, mean);
  for (guint i = 0; i < n; i++)
    {
      const ActivityKind *kind = pick_activity_kind (d);
      gint64 day = rnd_range (d, MAX (c->created_day, d->start_day), d->ref_day);
      gint64 ts = moment_on (d, c, day, FALSE);

      if (!write_activity (d, c, NULL, kind->kind, pick_subject (d, kind), ts, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
write_complaint (Demo                 *d,
                 Contact              *c,
                 const StoredPurchase *purchase,
                 const char           *product,
                 GError              **error)
{
  sqlite3_stmt *stmt = d->activity_stmt;
  gint64 end_ts = local_ts (d->ref_day + 1, 0) - 1;
  gint64 ts = purchase->ts + rnd_range (d, 1, 15) * SECONDS_PER_DAY + rnd_range (d, 0, 8 * 3600);
  gint64 first_response_ts, resolved_ts;
  const char *status;
  const char *priority;
  const char *assignee;
  gboolean responded, resolved;
  char id[37];
  char created[96];
  char updated[96];
  char subject[160];
  char first_response_at[32];
  char resolved_at[32];
  int satisfaction = 0;
  guint ms = (guint) rnd_range (d, 0, 999);

  if (ts > end_ts)
    ts = end_ts - rnd_range (d, 0, 3600);

  /* Service answers in hours (median 3 h) and resolves in days (median
   * 2 days), with long tails. */
  first_response_ts = ts + MAX (300, lognormal_seconds (d, 3 * 3600, 1.2));
  resolved_ts = first_response_ts + MAX (1800, lognormal_seconds (d, 2 * SECONDS_PER_DAY, 1.0));
  responded = first_response_ts <= end_ts;
  resolved = resolved_ts <= end_ts && chance (d, 0.97);

  if (!responded)
    status = "open";
  else if (!resolved)
    status = "in_progress";
  else
    status = chance (d, 0.7) ? "closed" : "resolved";

  priority = chance (d, 0.6) ? "normal" : (chance (d, 0.7) ? "high" : "urgent");
  assignee = g_ptr_array_index (d->service_ids, g_rand_int_range (d->rand, 0, d->service_ids->len));
  g_snprintf (subject, sizeof subject, "%s：%s", pick (d, &d->complaint_subjects), product);

  if (resolved && chance (d, 0.7))
    {
      /* Most complaints that are handled end well. */
      double r = rnd (d);

      satisfaction = r < 0.1 ? 1 : r < 0.2 ? 2 : r < 0.4 ? 3 : r < 0.7 ? 4 : 5;
    }

  new_id (id);
  format_hlc (d, created, sizeof created, ts, ms);
  format_hlc (d, updated, sizeof updated, resolved ? resolved_ts : responded ? first_response_ts : ts, ms);
  format_timestamp (first_response_at, sizeof first_response_at, first_response_ts);
  format_timestamp (resolved_at, sizeof resolved_at, resolved_ts);

  crm_stmt_bind_static_text (stmt, 1, id);
  crm_stmt_bind_static_text (stmt, 2, created);
  crm_stmt_bind_static_text (stmt, 3, updated);
  crm_stmt_bind_static_text (stmt, 4, c->owner);
  crm_stmt_bind_static_text (stmt, 5, c->id);
  sqlite3_bind_null (stmt, 6);
  crm_stmt_bind_static_text (stmt, 7, "complaint");
  crm_stmt_bind_static_text (stmt, 8, subject);
  crm_stmt_bind_static_text (stmt, 9, "客户来电反映问题，要求尽快处理。");
  sqlite3_bind_null (stmt, 10);
  crm_stmt_bind_static_text (stmt, 11, resolved ? resolved_at : NULL);
  crm_stmt_bind_static_text (stmt, 12, assignee);
  crm_stmt_bind_static_text (stmt, 13, priority);
  crm_stmt_bind_static_text (stmt, 14, status);
  crm_stmt_bind_static_text (stmt, 15, responded ? first_response_at : NULL);
  crm_stmt_bind_static_text (stmt, 16, resolved ? resolved_at : NULL);
  crm_stmt_bind_static_text (stmt, 17, resolved ? pick (d, &d->complaint_resolutions) : NULL);
  if (satisfaction > 0)
    sqlite3_bind_int (stmt, 18, satisfaction);
  else
    sqlite3_bind_null (stmt, 18);
  if (!step (d, stmt, error))
    return FALSE;

  d->stats.activities++;
  d->stats.complaints++;
  return TRUE;
}

static gboolean
write_complaints (Demo     *d,
                  Contact  *c,
                  GError  **error)
{
  double p;

  if (d->purchases->len == 0)
    return TRUE;

  p = c->archetype == ARCH_CHURNED ? 0.08 : c->archetype == ARCH_FREQUENT ? 0.06 : 0.03;
  if (chance (d, p))
    {
      guint i = g_rand_int_range (d->rand, 0, d->purchases->len);
      const Category *category = pick_category (d, c->organization);
      const Product *product = &category->products[g_rand_int_range (d->rand, 0, category->n_products)];

      return write_complaint (d, c, &g_array_index (d->purchases, StoredPurchase, i),
                              product->name, error);
    }
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Deals and stage history */

static gboolean
write_stage_change (Demo        *d,
                    Contact     *c,
                    const char  *deal_id,
                    const char  *from,
                    const char  *to,
                    gint64       ts,
                    GError     **error)
{
  sqlite3_stmt *stmt = d->history_stmt;
  char id[37];
  char created[96];
  char at[32];

  new_id (id);
  format_hlc (d, created, sizeof created, ts, (guint) rnd_range (d, 0, 999));
  format_timestamp (at, sizeof at, ts);

  crm_stmt_bind_static_text (stmt, 1, id);
  crm_stmt_bind_static_text (stmt, 2, created);
  crm_stmt_bind_static_text (stmt, 3, c->owner);
  crm_stmt_bind_static_text (stmt, 4, deal_id);
  crm_stmt_bind_static_text (stmt, 5, from);
  crm_stmt_bind_static_text (stmt, 6, to);
  crm_stmt_bind_static_text (stmt, 7, at);
  if (!step (d, stmt, error))
    return FALSE;

  d->stats.stage_changes++;
  return TRUE;
}

static gboolean
write_deal (Demo     *d,
            Contact  *c,
            guint     pipeline,
            GError  **error)
{
  sqlite3_stmt *stmt = d->deal_stmt;
  guint n_open = d->n_stages[pipeline] - 2;
  guint won_stage = n_open, lost_stage = n_open + 1;
  gint64 end_ts = local_ts (d->ref_day + 1, 0) - 1;
  gint64 created_day = rnd_range (d, MAX (c->created_day, d->start_day), d->ref_day);
  gint64 ts = moment_on (d, c, created_day, FALSE);
  gint64 created_ts = ts;
  guint reached, final;
  gboolean closed;
  char id[37];
  char created[96];
  char updated[96];
  char title[256];
  char expected_close[16];
  char closed_at[32];
  gint64 amount;
  const char *lost_reason = NULL;
  const char *prev = NULL;
  guint ms = (guint) rnd_range (d, 0, 999);

  /* Young deals are still open; older ones were mostly decided. Leads have
   * not bought, so their deals are open or lost. */
  if (d->ref_day - created_day < 60 || chance (d, c->archetype == ARCH_LEAD ? 0.5 : 0.15))
    {
      closed = FALSE;
      reached = (guint) rnd_range (d, 0, n_open - 1);
      final = reached;
    }
  else
    {
      closed = TRUE;
      if (c->archetype != ARCH_LEAD && chance (d, pipeline == 1 ? 0.7 : 0.55))
        {
          reached = n_open - 1;
          final = won_stage;
        }
      else
        {
          reached = (guint) rnd_range (d, 0, n_open - 1);
          final = lost_stage;
          lost_reason = pick (d, &d->lost_reasons);
        }
    }

  if (c->organization)
    amount = rnd_range (d, 200, 8000) * 10000;
  else
    amount = rnd_range (d, 20, 500) * 10000;

  if (pipeline == 1)
    {
      int y;
      unsigned m, dd;

      civil_from_days (created_day, &y, &m, &dd);
      g_snprintf (title, sizeof title, "%s %d年度续约", c->name, y + 1);
    }
  else
    g_snprintf (title, sizeof title, "%s — %s采购项目", c->name,
                pick_category (d, c->organization)->name);

  /* Reps keep the close dates of open deals current: most lie ahead of
   * the reference date, a few just behind it, so the forecast has months
   * to show. One draw either way keeps the rest of the data as it was. */
  {
    gint64 offset = rnd_range (d, 30, 120);

    format_date (expected_close, sizeof expected_close,
                 closed ? created_day + offset : MAX (created_day + 30, d->ref_day + offset - 50));
  }

  new_id (id);
  format_hlc (d, created, sizeof created, created_ts, ms);

  /* The deal row first: its history refers to it. The stage and update
   * time are final; the history below tells how it got there. */
  crm_stmt_bind_static_text (stmt, 1, id);
  crm_stmt_bind_static_text (stmt, 2, created);
  crm_stmt_bind_static_text (stmt, 4, c->owner);
  crm_stmt_bind_static_text (stmt, 5, c->id);
  crm_stmt_bind_static_text (stmt, 6, d->pipeline_ids[pipeline]);
  crm_stmt_bind_static_text (stmt, 7, d->stage_ids[pipeline][final]);
  crm_stmt_bind_static_text (stmt, 8, title);
  sqlite3_bind_int64 (stmt, 9, amount);
  crm_stmt_bind_static_text (stmt, 10, expected_close);
  crm_stmt_bind_static_text (stmt, 12, lost_reason);

  /* Walk the stages, a few days to a few weeks each. */
  {
    GArray *moves = g_array_new (FALSE, FALSE, sizeof (gint64));
    gint64 move_ts = ts;
    guint n_moves = (closed ? reached + 2 : reached + 1);
    gboolean ok;

    for (guint s = 0; s < n_moves; s++)
      {
        if (s > 0)
          move_ts += rnd_range (d, 2, 21) * SECONDS_PER_DAY + rnd_range (d, 0, 8 * 3600);
        g_array_append_val (moves, move_ts);
      }
    /* Squeeze the walk into the time the deal had. */
    if (move_ts > end_ts)
      {
        gint64 span = move_ts - ts;
        gint64 room = MAX (end_ts - ts, (gint64) n_moves);

        for (guint s = 0; s < moves->len; s++)
          g_array_index (moves, gint64, s) = ts + (g_array_index (moves, gint64, s) - ts) * room / MAX (span, 1);
        move_ts = g_array_index (moves, gint64, moves->len - 1);
      }

    format_hlc (d, updated, sizeof updated, move_ts, ms);
    format_timestamp (closed_at, sizeof closed_at, move_ts);
    crm_stmt_bind_static_text (stmt, 3, updated);
    crm_stmt_bind_static_text (stmt, 11, closed ? closed_at : NULL);
    ok = step (d, stmt, error);

    for (guint s = 0; ok && s < moves->len; s++)
      {
        guint stage = s <= reached ? s : final;
        const char *to = d->stage_ids[pipeline][stage];

        ok = write_stage_change (d, c, id, prev, to, g_array_index (moves, gint64, s), error);
        prev = to;
      }

    /* A salesperson logs a call or meeting on the way. */
    if (ok && chance (d, 0.6))
      ok = write_activity (d, c, id, chance (d, 0.5) ? "call" : "meeting",
                           pipeline == 1 ? "续约条款沟通" : "项目需求沟通",
                           g_array_index (moves, gint64, moves->len / 2) + 3600, error);

    g_array_unref (moves);
    if (!ok)
      return FALSE;
  }

  d->stats.deals++;
  return TRUE;
}

static gboolean
write_deals (Demo     *d,
             Contact  *c,
             GError  **error)
{
  if ((c->organization && chance (d, 0.4)) ||
      (c->archetype == ARCH_LEAD && chance (d, 0.15)) ||
      (!c->organization && c->archetype != ARCH_LEAD && chance (d, 0.08)))
    {
      if (!write_deal (d, c, 0, error))
        return FALSE;
    }

  if (c->archetype != ARCH_LEAD &&
      ((c->organization && chance (d, 0.5)) || (c->archetype == ARCH_FREQUENT && chance (d, 0.05))))
    {
      if (!write_deal (d, c, 1, error))
        return FALSE;
    }

  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Survey responses */

static int
nps_score (Demo    *d,
           Contact *c)
{
  double promoter, detractor, r = rnd (d);

  /* Loyal customers recommend; lapsed ones less so. The mix gives an NPS
   * around +20, typical of retail. */
  switch (c->archetype)
    {
    case ARCH_FREQUENT:
      promoter = 0.62, detractor = 0.10;
      break;
    case ARCH_CHURNED:
      promoter = 0.20, detractor = 0.45;
      break;
    case ARCH_DORMANT:
      promoter = 0.30, detractor = 0.30;
      break;
    case ARCH_LEAD:
    case ARCH_FIRST_TIME:
    case ARCH_ACTIVE:
    default:
      promoter = 0.45, detractor = 0.18;
      break;
    }

  if (r < promoter)
    return chance (d, 0.55) ? 10 : 9;
  if (r < promoter + detractor)
    return (int) rnd_range (d, 0, 6);
  return chance (d, 0.5) ? 7 : 8;
}

static gboolean
write_answer (Demo        *d,
              const char  *created,
              const char  *owner,
              const char  *response_id,
              const char  *question_id,
              int          number,
              const char  *text,
              GError     **error)
{
  sqlite3_stmt *stmt = d->answer_stmt;
  char id[37];

  new_id (id);
  crm_stmt_bind_static_text (stmt, 1, id);
  crm_stmt_bind_static_text (stmt, 2, created);
  crm_stmt_bind_static_text (stmt, 3, owner);
  crm_stmt_bind_static_text (stmt, 4, response_id);
  crm_stmt_bind_static_text (stmt, 5, question_id);
  if (text == NULL)
    sqlite3_bind_int (stmt, 6, number);
  else
    sqlite3_bind_null (stmt, 6);
  crm_stmt_bind_static_text (stmt, 7, text);
  return step (d, stmt, error);
}

static gboolean
write_survey_response (Demo     *d,
                       Contact  *c,
                       GError  **error)
{
  sqlite3_stmt *stmt = d->response_stmt;
  const StoredPurchase *purchase = NULL;
  gint64 end_ts = local_ts (d->ref_day + 1, 0) - 1;
  gint64 opens_ts = local_ts (d->survey_opens_day, 0);
  gint64 ts;
  int nps, csat;
  char id[37];
  char created[96];
  char submitted_at[32];

  if (d->purchases->len == 0 || !chance (d, 0.12))
    return TRUE;

  /* The survey is sent after a purchase made while it was open. */
  for (guint i = d->purchases->len; i > 0; i--)
    {
      const StoredPurchase *p = &g_array_index (d->purchases, StoredPurchase, i - 1);

      if (p->ts >= opens_ts)
        purchase = p;
      else
        break;
    }
  if (purchase == NULL)
    return TRUE;

  ts = purchase->ts + rnd_range (d, 3600, 7 * SECONDS_PER_DAY);
  if (ts > end_ts)
    return TRUE;

  nps = nps_score (d, c);
  /* Satisfaction follows the recommendation, loosely. */
  csat = CLAMP (1 + nps / 2 + (int) rnd_range (d, -1, 1), 1, 5);

  new_id (id);
  format_hlc (d, created, sizeof created, ts, (guint) rnd_range (d, 0, 999));
  format_timestamp (submitted_at, sizeof submitted_at, ts);

  crm_stmt_bind_static_text (stmt, 1, id);
  crm_stmt_bind_static_text (stmt, 2, created);
  crm_stmt_bind_static_text (stmt, 3, c->owner);
  crm_stmt_bind_static_text (stmt, 4, d->survey_id);
  crm_stmt_bind_static_text (stmt, 5, c->id);
  crm_stmt_bind_static_text (stmt, 6, pick (d, &d->response_channels));
  crm_stmt_bind_static_text (stmt, 7, submitted_at);
  if (!step (d, stmt, error))
    return FALSE;

  if (!write_answer (d, created, c->owner, id, d->question_ids[0], nps, NULL, error) ||
      !write_answer (d, created, c->owner, id, d->question_ids[1], csat, NULL, error))
    return FALSE;
  if (chance (d, 0.3) &&
      !write_answer (d, created, c->owner, id, d->question_ids[2], 0, pick (d, &d->survey_comments), error))
    return FALSE;

  d->stats.survey_responses++;
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* The main loop */

static gboolean
generate_one (Demo     *d,
              guint64   index,
              GError  **error)
{
  Contact c;
  const Organization *org = NULL;
  double slot = (double) (d->ref_day - d->first_contact_day + 1) * SECONDS_PER_DAY / (double) d->opts->n_contacts;
  gint64 offset;

  memset (&c, 0, sizeof c);
  new_id (c.id);

  /* Contacts arrive evenly over the years, in order, during office hours;
   * the slot keeps created_at increasing with the row. */
  offset = (gint64) (slot * ((double) index + rnd (d)));
  c.created_day = d->first_contact_day + offset / SECONDS_PER_DAY;
  c.created_ts = local_ts (c.created_day, 8 * 3600 + (offset % SECONDS_PER_DAY) * 12 / 24);
  c.organization = chance (d, 0.05);
  c.english = chance (d, c.organization ? 0.15 : 0.12);
  c.owner = random_owner (d);
  c.city = pick_city (d);
  c.favourite_category = category_index (pick_category (d, FALSE));
  c.archetype = pick_archetype (d, d->ref_day - c.created_day);

  if (!c.organization && d->organizations->len > 0 && chance (d, 0.25))
    {
      org = &g_array_index (d->organizations, Organization,
                            g_rand_int_range (d->rand, 0, d->organizations->len));
      if (chance (d, 0.7))
        c.city = org->city;
    }

  if (!write_contact (d, &c, org, error) ||
      !write_purchases (d, &c, error) ||
      !write_activities (d, &c, error) ||
      !write_complaints (d, &c, error) ||
      !write_deals (d, &c, error) ||
      !write_survey_response (d, &c, error))
    return FALSE;

  d->stats.contacts++;
  return TRUE;
}

static gboolean
run_batch (Demo     *d,
           guint64   first,
           guint64   count,
           GError  **error)
{
  g_autoptr(GError) local_error = NULL;
  CrmDemoStats saved = d->stats;
  guint saved_orgs = d->organizations->len;
  gboolean ok;

  if (!crm_store_begin (d->store, error))
    return FALSE;

  ok = crm_store_set_applying_remote (d->store, TRUE, &local_error) &&
       prepare_statements (d, &local_error);

  for (guint64 i = 0; ok && i < count; i++)
    {
      if (g_cancellable_set_error_if_cancelled (d->opts->cancellable, &local_error))
        {
          ok = FALSE;
          break;
        }
      ok = generate_one (d, first + i, &local_error);
    }

  release_statements (d);

  if (ok)
    ok = crm_store_set_applying_remote (d->store, FALSE, &local_error) &&
         crm_store_commit (d->store, &local_error);

  if (!ok)
    {
      /* The batch is gone: so are its contacts in the counts and the
       * organizations later contacts could have joined. */
      crm_store_rollback (d->store);
      d->stats = saved;
      g_array_set_size (d->organizations, saved_orgs);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  crm_store_queue_changed (d->store, "contacts", NULL);
  return TRUE;
}

static void
demo_init (Demo                 *d,
           CrmStore             *store,
           const CrmDemoOptions *opts)
{
  memset (d, 0, sizeof *d);
  d->store = store;
  d->opts = opts;
  d->client_id = crm_store_get_client_id (store);
  /* GRand takes 32-bit seeds; use all 64 bits of ours. */
  {
    guint32 seed[2] = { (guint32) (opts->seed & 0xffffffff), (guint32) (opts->seed >> 32) };

    d->rand = g_rand_new_with_seed_array (seed, 2);
  }

  for (guint i = 0; i < G_N_ELEMENTS (spring_festivals); i++)
    if (!parse_date (spring_festivals[i], &d->spring_festivals[i]))
      g_assert_not_reached ();

  d->id_bits = 16;
  while (d->id_bits < 40 && (G_GUINT64_CONSTANT (1) << d->id_bits) <= opts->n_contacts + 1)
    d->id_bits++;

  picker_init (&d->cn_surnames, cn_surnames, G_N_ELEMENTS (cn_surnames));
  picker_init (&d->cn_male, cn_male_chars, G_N_ELEMENTS (cn_male_chars));
  picker_init (&d->cn_female, cn_female_chars, G_N_ELEMENTS (cn_female_chars));
  picker_init (&d->en_male, en_male_names, G_N_ELEMENTS (en_male_names));
  picker_init (&d->en_female, en_female_names, G_N_ELEMENTS (en_female_names));
  picker_init (&d->en_surnames, en_surnames, G_N_ELEMENTS (en_surnames));
  picker_init (&d->cn_email_domains, cn_email_domains, G_N_ELEMENTS (cn_email_domains));
  picker_init (&d->en_email_domains, en_email_domains, G_N_ELEMENTS (en_email_domains));
  picker_init (&d->cn_brands, cn_brands, G_N_ELEMENTS (cn_brands));
  picker_init (&d->cn_industries, cn_industries, G_N_ELEMENTS (cn_industries));
  picker_init (&d->cn_suffixes, cn_company_suffixes, G_N_ELEMENTS (cn_company_suffixes));
  picker_init (&d->en_brands, en_brands, G_N_ELEMENTS (en_brands));
  picker_init (&d->en_industries, en_industries, G_N_ELEMENTS (en_industries));
  picker_init (&d->en_suffixes, en_company_suffixes, G_N_ELEMENTS (en_company_suffixes));
  picker_init (&d->cn_titles, cn_titles, G_N_ELEMENTS (cn_titles));
  picker_init (&d->en_titles, en_titles, G_N_ELEMENTS (en_titles));
  picker_init (&d->cn_occupations, cn_occupations, G_N_ELEMENTS (cn_occupations));
  picker_init (&d->en_occupations, en_occupations, G_N_ELEMENTS (en_occupations));
  picker_init (&d->sources, sources, G_N_ELEMENTS (sources));
  picker_init (&d->roads, roads, G_N_ELEMENTS (roads));
  picker_init (&d->person_notes, person_notes, G_N_ELEMENTS (person_notes));
  picker_init (&d->org_notes, org_notes, G_N_ELEMENTS (org_notes));
  picker_init (&d->complaint_subjects, complaint_subjects, G_N_ELEMENTS (complaint_subjects));
  picker_init (&d->complaint_resolutions, complaint_resolutions, G_N_ELEMENTS (complaint_resolutions));
  picker_init (&d->lost_reasons, lost_reasons, G_N_ELEMENTS (lost_reasons));
  picker_init (&d->survey_comments, survey_comments, G_N_ELEMENTS (survey_comments));
  picker_init (&d->response_channels, response_channels, G_N_ELEMENTS (response_channels));
  picker_init (&d->tags_common, tags_common, G_N_ELEMENTS (tags_common));

  d->city_cumulative = g_new (guint, G_N_ELEMENTS (cities));
  for (guint i = 0; i < G_N_ELEMENTS (cities); i++)
    {
      d->city_total += cities[i].weight;
      d->city_cumulative[i] = d->city_total;
    }
  for (guint i = 0; i < G_N_ELEMENTS (categories); i++)
    d->category_total += categories[i].weight;
  for (guint i = 0; i < G_N_ELEMENTS (channels); i++)
    d->channel_total += channels[i].weight;
  for (guint i = 0; i < G_N_ELEMENTS (activity_kinds); i++)
    d->activity_total += activity_kinds[i].weight;

  d->sales_ids = g_ptr_array_new_with_free_func (g_free);
  d->service_ids = g_ptr_array_new_with_free_func (g_free);
  d->organizations = g_array_new (FALSE, FALSE, sizeof (Organization));
  d->purchases = g_array_new (FALSE, FALSE, sizeof (StoredPurchase));
}

static void
demo_clear (Demo *d)
{
  Picker *pickers[] = {
    &d->cn_surnames, &d->cn_male, &d->cn_female, &d->en_male, &d->en_female,
    &d->en_surnames, &d->cn_email_domains, &d->en_email_domains, &d->cn_brands,
    &d->cn_industries, &d->cn_suffixes, &d->en_brands, &d->en_industries,
    &d->en_suffixes, &d->cn_titles, &d->en_titles, &d->cn_occupations,
    &d->en_occupations, &d->sources, &d->roads, &d->person_notes, &d->org_notes,
    &d->complaint_subjects, &d->complaint_resolutions, &d->lost_reasons,
    &d->survey_comments, &d->response_channels, &d->tags_common,
  };

  for (guint i = 0; i < G_N_ELEMENTS (pickers); i++)
    picker_clear (pickers[i]);
  release_statements (d);
  g_clear_pointer (&d->rand, g_rand_free);
  g_clear_pointer (&d->day_cdf, g_free);
  g_clear_pointer (&d->city_cumulative, g_free);
  g_clear_pointer (&d->sales_ids, g_ptr_array_unref);
  g_clear_pointer (&d->service_ids, g_ptr_array_unref);
  g_clear_pointer (&d->organizations, g_array_unref);
  g_clear_pointer (&d->purchases, g_array_unref);
}

void
crm_demo_options_init (CrmDemoOptions *opts)
{
  g_return_if_fail (opts != NULL);

  memset (opts, 0, sizeof *opts);
  opts->n_contacts = 1000;
  opts->seed = 1;
}

static gboolean
setup (Demo    *d,
       GError **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!crm_store_begin (d->store, error))
    return FALSE;

  if (!crm_store_set_applying_remote (d->store, TRUE, &local_error) ||
      !setup_users (d, &local_error) ||
      !setup_pipelines (d, &local_error) ||
      !setup_survey (d, &local_error) ||
      !crm_store_set_applying_remote (d->store, FALSE, &local_error) ||
      !crm_store_commit (d->store, &local_error))
    {
      crm_store_rollback (d->store);
      d->stats.users = 0;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

gboolean
crm_demo_generate (CrmStore              *store,
                   const CrmDemoOptions  *opts,
                   GError               **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *reference_date = NULL;
  Demo demo;
  Demo *d = &demo;
  gint64 ref_day;
  gboolean ok;
  gboolean was_deferred;
  g_autoptr(CrmStoreBulk) bulk = NULL;

  g_return_val_if_fail (CRM_IS_STORE (store), FALSE);
  g_return_val_if_fail (opts != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (opts->reference_date != NULL)
    {
      if (!parse_date (opts->reference_date, &ref_day))
        {
          g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                       _("The reference date “%s” is not a date. Use the form 2024-12-31."),
                       opts->reference_date);
          return FALSE;
        }
      reference_date = g_strdup (opts->reference_date);
    }
  else
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();

      reference_date = g_date_time_format (now, "%Y-%m-%d");
      if (!parse_date (reference_date, &ref_day))
        g_assert_not_reached ();
    }

  if (opts->n_contacts == 0)
    {
      if (opts->stats != NULL)
        memset (opts->stats, 0, sizeof *opts->stats);
      return TRUE;
    }

  demo_init (d, store, opts);
  d->ref_day = ref_day;
  d->start_day = ref_day - YEARS * 365;
  d->first_contact_day = ref_day - CONTACT_YEARS * 365;
  build_calendar (d);

  /* Index maintenance row by row would cost more than the inserts. */
  was_deferred = crm_contact_search_get_deferred (store);
  ok = crm_contact_search_set_deferred (store, TRUE, &local_error) &&
       setup (d, &local_error);

  /* The indexes on names, pinyin and dates take rows in random order, so
   * a batch touches pages all over them; with SQLite's default 2 MB cache
   * it would write most pages to the WAL several times per batch, and
   * past a few hundred thousand contacts read them back over and over. */
  if (ok)
    bulk = crm_store_bulk_begin (store,
                                 CLAMP ((gint64) MIN (opts->n_contacts, (guint64) G_MAXINT64),
                                        DEMO_CACHE_MIN_KIB, DEMO_CACHE_MAX_KIB),
                                 CRM_STORE_BULK_NONE);

  for (guint64 done = 0; ok && done < opts->n_contacts; )
    {
      guint64 batch = opts->batch_contacts > 0 ? opts->batch_contacts : BATCH_CONTACTS;
      guint64 count = MIN (batch, opts->n_contacts - done);

      ok = run_batch (d, done, count, &local_error);
      if (ok)
        {
          done += count;
          if (opts->progress != NULL)
            opts->progress (done, opts->n_contacts, opts->progress_data);
        }
    }

  g_clear_pointer (&bulk, crm_store_bulk_end);

  /* Whether it finished, failed or was cancelled, what was committed gets
   * indexed and its lifecycle computed; otherwise search would stay off.
   * A deferral the caller had set up stays theirs to end. */
  if (!was_deferred)
    {
      g_autoptr(GError) finish_error = NULL;

      if (!crm_store_recompute_derived (store, reference_date, &finish_error) ||
          (crm_contact_search_get_deferred (store) &&
           !crm_contact_search_rebuild (store, &finish_error)))
        {
          if (ok)
            {
              ok = FALSE;
              g_propagate_error (&local_error, g_steal_pointer (&finish_error));
            }
        }
    }

  if (opts->stats != NULL)
    *opts->stats = d->stats;
  demo_clear (d);

  if (!ok)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}
