"""Backups and restoring one (deskapp backup / restore, the shift-change backup, doctor's line), and drafts kept while typing."""

MESSAGES: dict[str, tuple[str, str]] = {
    "config.bad_value": (
        "配置项的值不能用：{where} = {value}。请改正 config.toml",
        "A config value that cannot be used: {where} = {value}. Correct config.toml",
    ),
    # --- making a backup
    "backup.made": ("已备份：{path}（{size}）", "Backed up: {path} ({size})"),
    "backup.removed": ("按保留份数删除旧备份：{path}", "Removed an old backup beyond the number kept: {path}"),
    "backup.shift_made": ("交接班备份已完成：{path}", "Shift-change backup made: {path}"),
    "backup.server": (
        "数据库服务器（{where}）的备份请用服务器自己的工具（pg_dump）；deskapp backup 目前只备份 SQLite 文件。",
        "Back up a database server ({where}) with the server's own tool (pg_dump); deskapp backup handles SQLite files for now.",
    ),
    "backup.no_database": ("没有可备份的数据库文件：{where}", "There is no database file to back up: {where}"),
    "backup.disk_full": (
        "磁盘已满，备份 {backup} 没有写成（没有留下半个文件）。请在 {folder} 腾出空间后重试。",
        "The disk is full: the backup {backup} was not written (no partial file left). Free space in {folder} and try again.",
    ),
    "backup.folder": (
        "无法建立备份文件夹 {folder}（{what}）；没有备份。请检查 config.toml 的 [backup] folder 和写权限。",
        "Cannot make the backup folder {folder} ({what}); nothing was backed up. Check [backup] folder in config.toml and its permissions.",
    ),
    "backup.failed": (
        "备份 {backup} 没有写成（{what}），没有留下半个文件。请检查文件夹 {folder} 的写权限和空间。",
        "The backup {backup} was not written ({what}); no partial file was left. Check that {folder} is writable and has space.",
    ),
    "backup.source_damaged": (
        "数据库已损坏，不能从它做备份：{where}。请运行 deskapp doctor，并从最近的好备份恢复。",
        "The database is damaged; no backup was made from it: {where}. Run deskapp doctor and restore the last good backup.",
    ),
    # --- checking a backup before a restore (nothing changed when refused)
    "backup.missing": ("找不到备份文件：{where}；未作任何改动。", "There is no backup file at {where}; nothing was changed."),
    "backup.not_sqlite": (
        "这不是 deskapp 的备份（不是 SQLite 数据库文件）：{where}；未作任何改动。",
        "This is not a deskapp backup (not a SQLite database file): {where}. Nothing was changed.",
    ),
    "backup.not_deskapp": (
        "这不是 deskapp 的备份（文件里没有前台的数据结构版本）：{where}；未作任何改动。",
        "This is not a deskapp backup (it holds no deskapp schema revision): {where}. Nothing was changed.",
    ),
    "backup.damaged": (
        "备份已损坏，不能恢复（{what}）：{where}；未作任何改动。请换一份备份。",
        "The backup is damaged and cannot be restored ({what}): {where}. Nothing was changed; choose another backup.",
    ),
    "backup.newer": (
        "这份备份来自更新版本的 deskapp（结构版本 {revision}，本程序只到 {head}）：{where}。请先升级 deskapp 再恢复；未作任何改动。",
        "This backup is from a newer deskapp (schema {revision}; this program knows up to {head}): {where}. Upgrade deskapp first; nothing was changed.",
    ),
    "backup.unknown": (
        "这份备份的结构版本 {revision} 本程序不认识（本程序 {head}）：{where}；未作任何改动。",
        "This backup's schema revision {revision} is unknown to this program ({head}): {where}. Nothing was changed.",
    ),
    "backup.aside_exists": (
        "要保存当前数据库的位置已有文件：{where}。请稍等一秒再试；未作任何改动。",
        "There is already a file where the current database would be kept: {where}. Try again in a second; nothing was changed.",
    ),
    "backup.restore_failed": (
        "恢复没有完成（{what}）：{where} 仍是原来的数据库。",
        "The restore did not complete ({what}): {where} is still the database it was.",
    ),
    # --- deskapp restore, as it reports
    "restore.checked": ("备份完好：{path}（integrity_check ok，结构版本 {revision}）", "The backup is sound: {path} (integrity_check ok, schema {revision})"),
    "restore.counts_head": ("记录数：备份 / 当前数据库", "Rows: in the backup / in the database now"),
    "restore.count_line": ("  {table}：{backup} / {now}", "  {table}: {backup} / {now}"),
    "restore.problem": ("  ! 备份中的问题：{problem}", "  ! A problem in the backup: {problem}"),
    "restore.confirm": ("用这份备份替换 {where}？当前数据库会另存一份", "Replace {where} with this backup? The database now in place is kept aside"),
    "restore.not_confirmed": ("没有恢复；未作任何改动。", "Not restored; nothing was changed."),
    "restore.done": ("已恢复：{where} 现在是 {backup} 的内容。", "Restored: {where} now holds {backup}."),
    "restore.aside": ("原来的数据库保存在：{aside}", "The database that was in place is kept at: {aside}"),
    "restore.upgraded": ("备份的结构版本 {revision} 已升级到 {head}。", "The backup's schema {revision} was upgraded to {head}."),
    # --- doctor
    "doctor.backup_when": ("{when}（{hours} 小时前）：{path}", "{when} ({hours} hours ago): {path}"),
}

# Drafts kept while a form is typed, and offered back after a crash (deskapp.widgets.drafts).
MESSAGES.update({
    "draft.restored": ("已恢复 {at} 未保存的草稿；Esc 可放弃", "Restored the unsaved draft of {at}; Esc to throw it away"),
    "draft.offer_title": ("有一份未保存的{kind}草稿（{at}）", "An unsaved {kind} draft ({at})"),
    "draft.offer_keys": ("Enter 恢复 · Esc 以后再说 · D 丢弃", "Enter restore · Esc later · D throw away"),
    "draft.discarded": ("草稿已丢弃", "Draft thrown away"),
    "draft.not_kept": ("草稿没能保存到磁盘：{reason}", "The draft could not be kept on disk: {reason}"),
    "draft.kind.call": ("来电来访登记", "call"),
    "draft.kind.complaint": ("投诉", "complaint"),
    "draft.kind.slip": ("派工单", "dispatch slip"),
    "draft.kind.duty_log": ("值班日志", "duty log entry"),
    "draft.kind.custody": ("寄存登记", "item in custody"),
    "draft.kind.visitor": ("访客登记", "visitor"),
})
