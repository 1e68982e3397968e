"""Refusals of bad input and of what a role may not do (services raise these as DeskError keys)."""

MESSAGES: dict[str, tuple[str, str]] = {
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
    "err.no_such_call": ("没有这条来电记录：{id}", "No such call: {id}"),
    "err.no_such_staff": ("没有这位员工：{name}", "No such staff member: {name}"),
    "err.demo_not_empty": (
        "数据库里已有员工和记录，不能载入演示数据；请用一个新的数据库文件",
        "This database already holds staff and records; load demo data into a new database file",
    ),
    "err.database_busy": ("数据库正忙，请稍后重试；记录未保存", "The database is busy; try again. Nothing was saved"),
    "action.add_staff": ("添加员工", "add a staff member"),
}
