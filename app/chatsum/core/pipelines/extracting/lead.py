"""The built-in "客户线索 / customer lead" schema, one record per customer.

Field names are the ones sales teams already use (they are the CSV headers and
what the model sees); each has an English display name for the English
interface. Descriptions are bilingual because the prompt shows them to the
model next to chats in either language, and values must stay in the chat's own
language. Groundings follow what each field is: names, amounts and addresses
are copied from the chat (quoted); stages, objections and plans are judgements
(inferred); the phone number and e-mail are checked character for character.
"""

from __future__ import annotations

from chatsum.core.pipelines.extracting.schema import Field, FieldKind, Grounding, Schema

LEAD_SCHEMA_ID = "lead"

_Q = Grounding.QUOTED
_I = Grounding.INFERRED

_LEAD_FIELDS = (
    Field(
        "基本信息-姓名",
        description="客户的姓名或称呼，如“王先生”“李丽” / the customer's name as the chat gives it",
        name_en="Name",
    ),
    Field(
        "基本信息-手机号码",
        description="客户本人的手机号，照抄 / the customer's phone number, copied exactly",
        name_en="Phone",
        format="phone",
    ),
    Field(
        "基本信息-邮箱",
        description="客户的电子邮箱，照抄 / the customer's e-mail address, copied exactly",
        name_en="E-mail",
        format="email",
    ),
    Field(
        "基本信息-地区",
        description="客户所在城市或地区 / the customer's city or region",
        name_en="Region",
    ),
    Field(
        "基本信息-详细地址",
        description="客户给出的详细地址（街道、门牌） / street address the customer gives",
        name_en="Address",
    ),
    Field(
        "基本信息-性别",
        description="填“男”或“女”（先生→男，女士→女） / male or female (Mr → male, Ms → female)",
        name_en="Gender",
        grounding=_I,
    ),
    Field(
        "基本信息-年龄",
        description="客户年龄，如“35岁” / the customer's age",
        name_en="Age",
    ),
    Field(
        "基本信息-生日",
        description="客户生日 / the customer's birthday",
        name_en="Birthday",
    ),
    Field(
        "咨询类型",
        FieldKind.LIST,
        description="客户咨询的问题类别，如 价格、功能、售后、安装 / kinds of questions asked: price, features, after-sales…",
        name_en="Inquiry types",
        grounding=_I,
    ),
    Field(
        "意向产品",
        FieldKind.LIST,
        description="客户感兴趣的具体产品或套餐名称 / products or plans the customer is interested in",
        name_en="Products of interest",
    ),
    Field(
        "购买异议点",
        FieldKind.LIST,
        description="客户犹豫或反对的理由，如 价格贵、担心质量 / the customer's objections",
        name_en="Objections",
        grounding=_I,
    ),
    Field(
        "客户预算-预算是否充足",
        FieldKind.ENUM,
        description="预算是否够买意向产品 / whether the budget covers the product",
        name_en="Budget sufficient",
        choices=("充足", "不充足"),
    ),
    Field(
        "客户预算-总体预算金额",
        description="客户说的总预算，如“5000元左右” / the total budget the customer states",
        name_en="Total budget",
    ),
    Field(
        "客户预算-预算明细",
        description="预算如何分配或分期 / how the budget is split",
        name_en="Budget details",
    ),
    Field(
        "竞品信息",
        description="客户提到的其他品牌、商家或报价 / competitors, other brands or offers mentioned",
        name_en="Competitors",
    ),
    Field(
        "客户是否有意向",
        FieldKind.ENUM,
        description="客户是否想买 / whether the customer intends to buy",
        name_en="Interested",
        choices=("有意向", "无意向"),
    ),
    Field(
        "客户是否有卡点",
        FieldKind.ENUM,
        description="是否有阻碍成交的问题 / whether something blocks the purchase",
        name_en="Has blocker",
        choices=("有卡点", "无卡点"),
    ),
    Field(
        "客户购买阶段",
        description="如 初步咨询、比较方案、已报价、待付款、已成交 / stage: first inquiry, comparing, quoted, awaiting payment, closed",
        name_en="Purchase stage",
        grounding=_I,
    ),
    Field(
        "下一步跟进计划-参与人",
        FieldKind.LIST,
        description="负责下一步跟进的员工名字 / staff who will follow up",
        name_en="Follow-up staff",
        refers_to="staff",
    ),
    Field(
        "下一步跟进计划-时间点",
        description="约定的跟进时间，如“周五下午” / when the follow-up is agreed",
        name_en="Follow-up time",
    ),
    Field(
        "下一步跟进计划-具体事项",
        description="下一步要做的事，如 发报价单、预约上门 / what happens next",
        name_en="Follow-up action",
        grounding=_I,
    ),
)


def lead_schema() -> Schema:
    return Schema(
        id=LEAD_SCHEMA_ID,
        title="客户线索",
        title_en="Customer lead",
        description="客服群聊中每位客户的线索信息 / one lead record per customer in a service group",
        fields=_LEAD_FIELDS,
    )
