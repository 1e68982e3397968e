"""The message catalogue: every user-visible string, zh-CN first, English beside it.

`t(key, **params)` formats the message in the current language. Codes stored
in the database (channel, category, role, status...) have labels under
"<kind>.<code>" keys, e.g. t("category.repair") -> "报修".
Kept import-free so the app shell can use it before the first paint.
"""

from __future__ import annotations

_LANG = "zh"

MESSAGES: dict[str, tuple[str, str]] = {
    # --- codes: channel, category, role, status
    "channel.phone": ("电话", "phone"),
    "channel.visit": ("来访", "walk-in"),
    "channel.letter": ("来信", "letter"),
    "channel.other": ("其他", "other"),
    "category.enquiry": ("咨询", "enquiry"),
    "category.repair": ("报修", "repair"),
    "category.complaint": ("投诉", "complaint"),
    "category.suggestion": ("建议", "suggestion"),
    "category.praise": ("表扬", "praise"),
    "category.other": ("其他", "other"),
    "role.receptionist": ("前台", "receptionist"),
    "role.concierge": ("管家", "concierge"),
    "role.supervisor": ("客服主管", "CS supervisor"),
    "role.manager": ("管理处经理", "property manager"),
    "role.gm": ("总经理", "general manager"),
    "call_status.done": ("已办结", "done"),
    "call_status.awaiting_slip": ("待派工", "awaiting slip"),
    "call_status.awaiting_complaint": ("待立投诉", "awaiting complaint"),
    "call_status.slipped": ("已派工", "slip issued"),
    "call_status.complained": ("已立投诉", "complaint opened"),
    "call_status_short.awaiting_slip": ("待派工", "slip"),
    "call_status_short.awaiting_complaint": ("待投诉", "cmplnt"),
    "call_status_short.slipped": ("已派工", "slipped"),
    "call_status_short.complained": ("已投诉", "filed"),
    "channel_short.phone": ("电话", "Tel"),
    "channel_short.visit": ("来访", "Walk"),
    "channel_short.letter": ("来信", "Mail"),
    "channel_short.other": ("其他", "Oth"),
    "category_short.enquiry": ("咨询", "Enq"),
    "category_short.repair": ("报修", "Rep"),
    "category_short.complaint": ("投诉", "Cmp"),
    "category_short.suggestion": ("建议", "Sug"),
    "category_short.praise": ("表扬", "Pra"),
    "category_short.other": ("其他", "Oth"),
    "unit.hours": ("{n}时", "{n}h"),
    "unit.days": ("{n}天", "{n}d"),
    "unit.late": ("超", "-"),
    "shift.day": ("白班", "day shift"),
    "shift.night": ("夜班", "night shift"),
    # --- input errors (the field name is passed already translated)
    "err.required": ("“{field}”不能为空", "{field} is required"),
    "err.too_long": ("“{field}”太长：{length} 字，最多 {limit} 字", "{field} is too long: {length} characters, at most {limit}"),
    "err.control_chars": (
        "“{field}”含有控制字符或终端转义序列，请删除后再保存",
        "{field} contains control characters or terminal escape sequences; remove them and save again",
    ),
    "err.phone_letters": ("电话号码只能包含数字、空格、+ 和 -：{value}", "A phone number may hold only digits, spaces, + and -: {value}"),
    "err.phone_length": ("电话号码应为 3 到 20 位数字：{value}", "A phone number has 3 to 20 digits: {value}"),
    "err.bad_date": ("日期无效：{value}（格式 YYYY-MM-DD，且须是日历上存在的日期）", "Not a valid date: {value} (YYYY-MM-DD, a day that exists)"),
    "err.bad_datetime": ("时间无效：{value}（格式 YYYY-MM-DD HH:MM）", "Not a valid time: {value} (YYYY-MM-DD HH:MM)"),
    "err.date_order": ("开始日期不能晚于结束日期", "The start date is after the end date"),
    "err.bad_choice": ("“{field}”的取值无效：{value}", "Not a valid {field}: {value}"),
    "err.future_time": ("登记时间不能晚于现在", "The time logged cannot be in the future"),
    "err.bad_pin": ("PIN 须为 4 到 8 位数字", "A PIN is 4 to 8 digits"),
    "err.wrong_pin": ("姓名或 PIN 不正确", "Wrong name or PIN"),
    "err.staff_exists": ("已有同名员工：{name}", "A staff member named {name} already exists"),
    "err.not_allowed": ("{role}无权执行此操作：{action}", "A {role} may not do this: {action}"),
    "err.first_must_be_supervisor": ("第一位员工必须是客服主管或以上", "The first staff member must be a supervisor or above"),
    "err.no_such_staff": ("没有这位员工：{name}", "No such staff member: {name}"),
    "err.demo_not_empty": (
        "数据库里已有员工和记录，不能载入演示数据；请用一个新的数据库文件",
        "This database already holds staff and records; load demo data into a new database file",
    ),
    "err.database_busy": ("数据库正忙，请稍后重试；记录未保存", "The database is busy; try again. Nothing was saved"),
    "action.add_staff": ("添加员工", "add a staff member"),
    # --- field names
    "field.content": ("内容", "content"),
    "field.reply": ("答复/处理", "reply"),
    "field.caller_name": ("姓名", "name"),
    "field.phone": ("电话", "phone"),
    "field.unit": ("房号", "unit"),
    "field.channel": ("方式", "channel"),
    "field.category": ("类别", "category"),
    "field.name": ("姓名", "name"),
    "field.role": ("角色", "role"),
    "field.date": ("日期", "date"),
    "field.search": ("搜索", "search"),
    # --- app shell
    "app.title": ("前台", "Front desk"),
    "app.on_duty": ("当班：{name}（{role}）", "On duty: {name} ({role})"),
    "app.nobody": ("未登录", "nobody signed in"),
    "app.loading": ("正在打开数据库…", "Opening the database…"),
    "app.upgraded": ("数据库已升级到 {rev}，旧库备份在 {backup}", "Database upgraded to {rev}; backup at {backup}"),
    "app.error": ("出错了：{message}", "Something went wrong: {message}"),
    "screen.calls": ("来电来访", "Calls"),
    "screen.complaints": ("投诉", "Complaints"),
    "screen.slips": ("派工单", "Dispatch slips"),
    "screen.visits": ("回访", "Return visits"),
    "screen.handover": ("交接班", "Handover"),
    "screen.help": ("帮助", "Help"),
    "screen.coming": (
        "本屏幕将容纳：{what}\n\n尚在建设中。来电登记中的报修/投诉已标记为“待派工/待立投诉”，不会丢失。",
        "This screen will hold: {what}\n\nNot built yet. Repair and complaint calls are marked as awaiting their slip or complaint and are not lost.",
    ),
    "coming.complaints": ("投诉登记、分级（通常/较大/重大/尤其重大）、时效倒计时与升级", "complaint intake, severity classes, SLA countdowns and escalation"),
    "coming.slips": ("派工单（一式三联）、时效与打印", "dispatch slips in triplicate, their clocks and printing"),
    "coming.visits": ("按工作日计算的回访队列", "return-visit queues on the working-day calendar"),
    "coming.handover": ("交接班记录、交接物品与夜班复核", "shift handover, handed-over items and the night review"),
    "key.calls": ("来电", "Calls"),
    "key.complaints": ("投诉", "Complaints"),
    "key.slips": ("派工", "Slips"),
    "key.visits": ("回访", "Visits"),
    "key.handover": ("交接", "Handover"),
    "key.help": ("帮助", "Help"),
    "key.quit": ("退出", "Quit"),
    "key.switch_user": ("换人", "Switch user"),
    "key.new_call": ("登记", "New call"),
    "key.search": ("搜索", "Search"),
    "key.filter": ("筛选", "Filter"),
    "key.save": ("保存", "Save"),
    "key.cancel": ("取消", "Cancel"),
    "key.today": ("今天", "Today"),
    "key.oldest": ("最早", "Oldest"),
    "key.continue": ("转单", "Continue"),
    # --- sign-in and first run
    "login.title": ("请选择当班员工并输入 PIN", "Choose who is at the desk and enter the PIN"),
    "login.pin": ("PIN", "PIN"),
    "login.submit": ("登录", "Sign in"),
    "first.title": ("首次使用：请创建第一位客服主管，或载入演示数据", "First run: create the first supervisor, or load demo data"),
    "first.create": ("创建主管", "Create supervisor"),
    "first.demo": ("载入演示数据", "Load demo data"),
    "first.demo_hint": ("演示账号：{name}，PIN {pin}", "Demo account: {name}, PIN {pin}"),
    # --- call log
    "calls.greeting": ("您好，{site}，我姓{surname}，请问有什么可以帮助您？", "Hello, {site}, this is {surname} speaking. How may I help you?"),
    "calls.empty": ("没有符合条件的记录", "No entries match"),
    "calls.count": ("共 {count} 条", "{count} entries"),
    "calls.saved": ("已登记 {number}", "Logged {number}"),
    "calls.awaiting": ("{number} 已标记为“{status}”：按 {key} 转入{screen}", "{number} is marked “{status}”: press {key} to continue in {screen}"),
    "calls.flagged": ("答复中含服务忌语：{phrases}", "The reply contains forbidden phrases: {phrases}"),
    "calls.known": ("已知住户：{name} {unit}", "Known resident: {name} {unit}"),
    "calls.form_title": ("登记来电来访", "Log a call or visit"),
    "calls.filter_title": ("筛选", "Filter"),
    "calls.from": ("从（YYYY-MM-DD）", "From (YYYY-MM-DD)"),
    "calls.to": ("到（YYYY-MM-DD）", "To (YYYY-MM-DD)"),
    "calls.any": ("全部", "any"),
    "calls.search_placeholder": ("电话、姓名、房号或内容中的字词", "phone, name, unit or words in the content"),
    "col.number": ("编号", "No."),
    "col.at": ("时间", "Time"),
    "col.channel": ("方式", "Via"),
    "col.category": ("类别", "Cat."),
    "col.caller": ("来电人", "Caller"),
    "col.unit": ("房号", "Unit"),
    "col.phone": ("电话", "Phone"),
    "col.content": ("内容", "Content"),
    "col.owner": ("首问", "Owner"),
    "col.status": ("状态", "Status"),
}


def set_lang(lang: str) -> None:
    global _LANG
    _LANG = "en" if lang.lower().startswith("en") else "zh"


def get_lang() -> str:
    return _LANG


def t(key: str, /, **params: object) -> str:
    pair = MESSAGES.get(key)
    if pair is None:
        return key
    text = pair[1] if _LANG == "en" else pair[0]
    return text.format(**params) if params else text


def label(kind: str, code: str) -> str:
    """Label of a stored code, e.g. label("category", "repair") -> "报修"."""
    return t(f"{kind}.{code}") if f"{kind}.{code}" in MESSAGES else code
