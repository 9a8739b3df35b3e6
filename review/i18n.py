"""The app's words in French, English and Chinese.

The language comes from the ``lang`` cookie (set by the menu), else from the
browser's Accept-Language, else French. A missing word falls back to English.
"""

from __future__ import annotations

UI_LANGUAGES = ("fr", "en", "zh")
LANGUAGE_NAMES = {"fr": "Français", "en": "English", "zh": "中文"}
DEFAULT = "fr"

# key: (fr, en, zh)
_WORDS = {
    "app_title": ("Revue des conversations", "Conversation review", "对话审核"),
    "conversations": ("Conversations", "Conversations", "对话"),
    "unanswered": ("Questions sans réponse", "Unanswered questions", "未回答的问题"),
    "dashboard": ("Tableau de bord", "Dashboard", "数据看板"),
    "accounts": ("Comptes", "Accounts", "账号"),
    "logout": ("Se déconnecter", "Log out", "退出登录"),
    "login": ("Se connecter", "Log in", "登录"),
    "name": ("Nom", "Name", "用户名"),
    "password": ("Mot de passe", "Password", "密码"),
    "wrong_login": (
        "Nom ou mot de passe incorrect.",
        "Wrong name or password.",
        "用户名或密码错误。",
    ),
    "too_many": (
        "Trop d'essais : réessayez dans {n} s.",
        "Too many attempts: try again in {n} s.",
        "尝试次数过多，请 {n} 秒后再试。",
    ),
    "no_account": (
        "Aucun compte pour l'instant. Créez-en un en ligne de commande :",
        "No account yet. Create one from the command line:",
        "还没有账号。请在命令行创建：",
    ),
    "session_ended": (
        "Votre session a expiré : reconnectez-vous.",
        "Your session ended: please log in again.",
        "会话已过期，请重新登录。",
    ),
    "logged_out": ("Vous êtes déconnecté.", "You are logged out.", "您已退出登录。"),
    "bad_form": (
        "Formulaire expiré ou invalide : rechargez la page et recommencez.",
        "This form expired or is invalid: reload the page and try again.",
        "表单已过期或无效：请刷新页面后重试。",
    ),
    "forbidden": ("Réservé aux administrateurs.", "Administrators only.", "仅限管理员。"),
    "not_found": ("Introuvable.", "Not found.", "未找到。"),
    "filters": ("Filtres", "Filters", "筛选"),
    "date_from": ("Du", "From", "起始日期"),
    "date_to": ("Au", "To", "结束日期"),
    "language": ("Langue", "Language", "语言"),
    "channel": ("Canal", "Channel", "渠道"),
    "intent": ("Intention", "Intent", "意图"),
    "confidence": ("Confiance", "Confidence", "置信度"),
    "below": ("Confiance inférieure à", "Confidence below", "置信度低于"),
    "fallback": ("Non compris", "Fallback", "未理解"),
    "handoff": ("Transfert à un humain", "Hand-off", "转人工"),
    "flagged": ("Signalée", "Flagged", "已标记"),
    "reviewed": ("Revue", "Reviewed", "已审核"),
    "tag": ("Étiquette", "Tag", "标签"),
    "tags": ("Étiquettes", "Tags", "标签"),
    "search": ("Rechercher dans les messages", "Search messages", "搜索消息"),
    "any": ("Tous", "Any", "全部"),
    "yes": ("Oui", "Yes", "是"),
    "no": ("Non", "No", "否"),
    "apply": ("Filtrer", "Apply", "筛选"),
    "reset": ("Effacer", "Clear", "清除"),
    "export_csv": ("Exporter en CSV", "Export CSV", "导出 CSV"),
    "export_jsonl": ("Exporter en JSONL", "Export JSONL", "导出 JSONL"),
    "started": ("Début", "Started", "开始时间"),
    "turns": ("Tours", "Turns", "轮次"),
    "first_message": ("Premier message", "First message", "首条消息"),
    "min_confidence": ("Confiance min.", "Min. confidence", "最低置信度"),
    "status": ("État", "Status", "状态"),
    "found": ("conversations trouvées", "conversations found", "条对话"),
    "newer": ("← Plus récentes", "← Newer", "← 较新"),
    "older": ("Plus anciennes →", "Older →", "较早 →"),
    "first_page": ("Première page", "First page", "第一页"),
    "nothing": (
        "Aucune conversation ne correspond.",
        "No conversation matches.",
        "没有符合条件的对话。",
    ),
    "invalid_filters": (
        "Filtre invalide : rien n'a été cherché.",
        "Invalid filter: nothing was searched.",
        "筛选条件无效：未执行查询。",
    ),
    "field_problem": ("« {field} » : {hint}", "“{field}”: {hint}", "“{field}”：{hint}"),
    "expect_date": (
        "une date AAAA-MM-JJ du {first} au {last}",
        "a date YYYY-MM-DD from {first} to {last}",
        "{first} 至 {last} 之间的日期（YYYY-MM-DD）",
    ),
    "expect_days": (
        "un nombre entier de jours, de 1 à {max_days}",
        "a whole number of days, from 1 to {max_days}",
        "1 至 {max_days} 的整数天数",
    ),
    "expect_language": ("fr, zh ou en", "fr, zh or en", "fr、zh 或 en"),
    "expect_name": (
        "1 à 80 lettres, chiffres, . _ ou -",
        "1 to 80 letters, digits, . _ or -",
        "1–80 个字母、数字、. _ 或 -",
    ),
    "expect_fraction": (
        "un nombre de 0 à 1, par exemple 0.5",
        "a number from 0 to 1, for example 0.5",
        "0 到 1 之间的数字，例如 0.5",
    ),
    "expect_yes_no": ("yes ou no", "yes or no", "yes 或 no"),
    "expect_tag": (
        "1 à 40 lettres, chiffres, espaces, - ou _",
        "1 to 40 letters, digits, spaces, - or _",
        "1–40 个字母、数字、空格、- 或 _",
    ),
    "expect_search": (
        "au plus {max_search} caractères, sans caractère de contrôle",
        "at most {max_search} characters, no control character",
        "最多 {max_search} 个字符，不含控制字符",
    ),
    "expect_cursor": (
        "un lien « plus anciennes » ou « plus récentes » de la liste : rouvrez la liste",
        "an 'older' or 'newer' link of the list: open the list again",
        "列表的“较早”或“较新”链接：请重新打开列表",
    ),
    "page_cursor": ("Page", "Page", "页码"),
    "days": ("Nombre de jours", "Number of days", "天数"),
    "remove_invalid": (
        "Même page sans ces filtres",
        "Same page without these filters",
        "去掉这些筛选条件后的同一页面",
    ),
    "transcript": ("Transcription", "Transcript", "对话记录"),
    "user": ("Utilisateur (pseudonyme)", "User (pseudonym)", "用户（化名）"),
    "tourist": ("Touriste", "Tourist", "游客"),
    "assistant": ("Assistant", "Assistant", "助手"),
    "entities": ("Entités", "Entities", "实体"),
    "actions": ("Actions", "Actions", "动作"),
    "latency": ("Latence", "Latency", "延迟"),
    "outcome": ("Résultat", "Outcome", "结果"),
    "flag": ("Signaler", "Flag", "标记"),
    "unflag": ("Retirer le signalement", "Unflag", "取消标记"),
    "mark_reviewed": ("Marquer comme revue", "Mark reviewed", "标记为已审核"),
    "mark_unreviewed": ("Marquer comme non revue", "Mark not reviewed", "标记为未审核"),
    "add_tag": ("Ajouter l'étiquette", "Add tag", "添加标签"),
    "remove": ("Retirer", "Remove", "移除"),
    "note": ("Note", "Note", "备注"),
    "save_note": ("Enregistrer la note", "Save note", "保存备注"),
    "by": ("par", "by", "由"),
    "delete_conversation": (
        "Supprimer cette conversation",
        "Delete this conversation",
        "删除此对话",
    ),
    "back_to_list": ("← Retour à la liste", "← Back to the list", "← 返回列表"),
    "previous_conv": ("← Conversation plus récente", "← Newer conversation", "← 较新的对话"),
    "next_conv": ("Conversation plus ancienne →", "Older conversation →", "较早的对话 →"),
    "saved": ("Enregistré.", "Saved.", "已保存。"),
    "invalid_tag": (
        "Étiquette invalide (1 à 40 lettres, chiffres, espaces, - ou _).",
        "Invalid tag (1 to 40 letters, digits, spaces, - or _).",
        "标签无效（1–40 个字母、数字、空格、- 或 _）。",
    ),
    "threshold": ("Seuil de confiance", "Confidence threshold", "置信度阈值"),
    "count": ("Nombre", "Count", "次数"),
    "question": ("Question", "Question", "问题"),
    "variants": ("Formulations", "Wordings", "不同说法"),
    "guessed_intent": ("Intention devinée", "Guessed intent", "识别的意图"),
    "last_seen": ("Dernière fois", "Last seen", "最近一次"),
    "examples": ("Exemples", "Examples", "示例"),
    "export_selected": ("Exporter la sélection", "Export the selection", "导出所选"),
    "as_nlu": (
        "Exemples d'entraînement Rasa NLU (YAML)",
        "Rasa NLU training examples (YAML)",
        "Rasa NLU 训练样例（YAML）",
    ),
    "as_faq": (
        "Brouillon d'entrée pour content/faq.yml",
        "Draft entry for content/faq.yml",
        "content/faq.yml 条目草稿",
    ),
    "intent_for_export": ("Intention (ou id FAQ)", "Intent (or FAQ id)", "意图（或 FAQ id）"),
    "new_intent": ("ou nouvelle intention", "or a new intent", "或新意图"),
    "select_some": (
        "Choisissez au moins une question et une intention valide (minuscules, chiffres, _).",
        "Choose at least one question and a valid intent (lowercase, digits, _).",
        "请至少选择一个问题和一个有效的意图（小写字母、数字、_）。",
    ),
    "no_unanswered": (
        "Aucune question sans réponse sur cette période.",
        "No unanswered question in this period.",
        "该时段内没有未回答的问题。",
    ),
    "unanswered_help": (
        "Replis (non compris, hors sujet) et tours de confiance faible, regroupés par similarité.",
        "Fallbacks (not understood, out of scope) and low-confidence turns, grouped by similarity.",
        "未理解、超出范围及低置信度的消息，按相似度分组。",
    ),
    "period": ("Période", "Period", "时间段"),
    "days_n": ("{n} jours", "{n} days", "{n} 天"),
    "show": ("Afficher", "Show", "显示"),
    "per_day": (
        "Conversations et messages par jour",
        "Conversations and messages per day",
        "每日对话数与消息数",
    ),
    "messages": ("Messages", "Messages", "消息"),
    "per_language": ("Messages par langue", "Messages per language", "各语言消息数"),
    "per_channel": ("Conversations par canal", "Conversations per channel", "各渠道对话数"),
    "top_intents": ("Intentions les plus fréquentes", "Top intents", "最常见意图"),
    "fallback_rate": ("Taux de non-compris par jour", "Fallback rate per day", "每日未理解率"),
    "top_unanswered": (
        "Questions sans réponse les plus fréquentes",
        "Top unanswered questions",
        "最常见的未回答问题",
    ),
    "totals": ("Sur la période", "In this period", "本时段合计"),
    "role": ("Rôle", "Role", "角色"),
    "reviewer": ("Relecteur", "Reviewer", "审核员"),
    "admin": ("Administrateur", "Admin", "管理员"),
    "created": ("Créé le", "Created", "创建时间"),
    "add_account": ("Créer le compte", "Create account", "创建账号"),
    "delete": ("Supprimer", "Delete", "删除"),
    "change_role": ("Changer le rôle", "Change role", "更改角色"),
    "account_error": ("Compte refusé :", "Account refused:", "账号无效："),
    "last_admin": (
        "Impossible : c'est le dernier administrateur.",
        "Not possible: this is the last admin.",
        "不可操作：这是最后一个管理员。",
    ),
    "erase_user": (
        "Effacer toutes les données d'un utilisateur",
        "Erase everything about a user",
        "删除某用户的全部数据",
    ),
    "pseudonym": ("Pseudonyme", "Pseudonym", "化名"),
    "erase": ("Effacer", "Erase", "删除"),
    "erased": ("Effacé :", "Erased:", "已删除："),
    "confirm": ("Je confirme", "I confirm", "我确认"),
    "you": ("Connecté :", "Signed in:", "当前用户："),
    "masked_note": (
        "Adresses e-mail et numéros de téléphone masqués.",
        "E-mail addresses and phone numbers are masked.",
        "电子邮箱和电话号码已隐去。",
    ),
    "answered": ("répondu", "answered", "已回答"),
    "unavailable": ("indisponible", "unavailable", "服务不可用"),
    "not-text": ("pas du texte", "not text", "非文本"),
    "undelivered": ("non remis", "undelivered", "未送达"),
}


def translator(language: str):
    column = UI_LANGUAGES.index(language) if language in UI_LANGUAGES else 0
    english = UI_LANGUAGES.index("en")

    def t(key: str) -> str:
        words = _WORDS.get(key)
        if not words:
            return key
        return words[column] or words[english]

    return t


def choose(cookie: str | None, accept_language: str | None) -> str:
    if cookie in UI_LANGUAGES:
        return cookie
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in UI_LANGUAGES:
            return code
    return DEFAULT


def words() -> dict[str, tuple]:
    return dict(_WORDS)
