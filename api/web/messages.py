"""One catalogue of the messages a person reads: the API's and the chain's refusal reasons and pydantic's validation
messages, in Japanese at the web edge.

The services and the chain keep their English reasons (the JSON API and its integrators read them); the pages show
them through ``japanese``.  A reason the catalogue does not know is shown as it came (never hidden), and a reason made
of several ``; ``-separated parts is translated part by part.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

#: The field names a person sees (forms and reasons that start with ``field: …``).
FIELD = {
    "title": "件名",
    "body": "本文",
    "amount_yen": "金額",
    "confidentiality": "機密性",
    "retention_years": "保存期間",
    "retention_permanent": "永年保存",
    "budget_code": "予算科目",
    "category": "決裁区分",
    "matter": "事案",
    "comment": "コメント・理由",
    "target_step": "差戻し後の再開位置",
    "on_behalf_of": "代決する相手",
    "action": "操作",
    "expense_class": "支出区分",
    "follow_up_of": "関連文書",
    "readers": "閲覧者",
    "consult_units": "合議先",
    "consult_quorum": "合議の定足数",
    "desired_by": "決裁希望日",
    "clean_copy_on": "浄書日",
    "dispatched_on": "発送日",
    "dispatch_method": "発送方法",
    "seal": "公印",
    "disposition": "措置",
    "extend_years": "延長年数",
    "reason": "理由",
    "channels": "通知の送り先",
    "email": "メールアドレス",
    "chat_user_id": "チャットのID",
    "quiet_hours": "通知を控える時間帯",
    "start": "開始",
    "end": "終了",
    "kind": "種類",
    "note": "備考",
    "staff_id": "職員ID",
    "code": "コード",
    "years": "年数",
    "effective_on": "異動日",
    "file_id": "簿冊",
    "destination": "用務先",
    "purpose": "用務",
    "transport": "交通手段",
    "estimated_cost_yen": "旅費の概算",
    "days": "日数",
    "hours": "時間数",
}

_REVIEW = {"open": "審査中", "submitted": "決裁中", "approved": "決裁済", "applied": "適用済", "rejected": "却下"}

_STAGE = {"review": "回議", "consult": "合議", "examine": "文書審査", "decide": "決裁", "circulate": "供覧"}
_STATUS = {
    "draft": "起案中",
    "in_review": "回議中",
    "sent_back": "差戻し",
    "approved": "決裁済",
    "rejected": "却下",
    "withdrawn": "取下げ",
    "circulating": "供覧中",
    "completed": "完結",
}
_VERB = {"approve": "承認", "consent or object": "同意または異議", "acknowledge": "閲覧確認"}
_WHAT = {
    "a send-back (差戻し)": "差戻し",
    "an objection (異議)": "異議",
    "a rejection (却下)": "却下",
    "a comment": "意見",
    "send back": "差戻し",
    "send_back": "差戻し",
    "object": "異議",
    "reject": "却下",
    "comment": "意見",
    "withdraw": "取下げ",
    "recall": "引戻し",
    "pull up": "引上げ承認",
    "pull_up": "引上げ承認",
    "substitute": "代決",
}


def _status(match: re.Match[str], group: str = "status") -> str:
    return _STATUS.get(match.group(group), match.group(group))


def _transfer_row(where: str) -> str:
    """``end[2]`` -> 終了の3行目 (the rows of a 人事異動 as the entry form numbers them)."""
    section, _, rest = where.partition("[")
    names = {"end": "終了", "start": "発令", "leavers": "退職者"}
    return f"{names.get(section, section)}の{int(rest.rstrip(']')) + 1}行目"


def _field(name: str) -> str:
    return FIELD.get(name, name)


def _row(where: str) -> str:
    """Where a bad row is: ``row 7`` of a CSV as 7行目; a YAML path (``classes[0].children[2]``) as it is."""
    return f"{where.removeprefix('row ')}行目" if where.startswith("row ") else where


def _problem(described: str) -> str:
    """One ``ClassificationProblem.describe()`` (``row 7 (01-02): message``) in Japanese."""
    found = re.fullmatch(r"(?P<row>.*?)(?: ?\((?P<code>[^()]*)\))?: (?P<message>.+)", described, re.S)
    if found is None:
        return japanese(described)
    where = "".join(
        p for p in (_row(found["row"]) if found["row"] else "", f"（{found['code']}）" if found["code"] else "")
    )
    return f"{where}：{japanese(found['message'])}" if where else japanese(found["message"])


def size_label(n: int) -> str:
    """A byte limit as a person reads it: 30 MB (or the bytes when below 1 MB)."""
    mb = n / (1024 * 1024)
    return f"{mb:g} MB" if mb >= 1 else f"{n:,} バイト"


def _yen(text: str) -> str:
    return f"{int(text.replace(',', '')):,}円"


_Rule = tuple[re.Pattern[str], Any]

#: English reason (whole part, anchored) -> Japanese (a string with ``{group}`` fields, or a function of the match).
_RULES: Sequence[tuple[str, Any]] = (
    # the chain (domain/chain.py)
    (r"not your step: the document is waiting for (?P<who>.+)", "あなたの順番ではありません（{who} の処理待ちです）。"),
    (
        r"you have already answered; the document is now waiting for (?P<who>.+)",
        "すでに処理済みです。いまは {who} の処理待ちです。",
    ),
    (r"you have already answered this stage", "この段階ではすでに処理済みです。"),
    (
        r"this is a (?P<kind>\w+) stage: use (?P<verb>.+)",
        lambda m: (
            f"この段階は{_STAGE.get(m['kind'], m['kind'])}です。{_VERB.get(m['verb'], m['verb'])}を選んでください。"
        ),
    ),
    (
        r"cannot (?P<what>.+): the document is (?P<status>\w+)",
        lambda m: f"文書が{_status(m)}のため、この操作はできません。",
    ),
    (
        r"(?P<what>.+) needs a reason in the comment",
        lambda m: f"{_WHAT.get(m['what'], m['what'])}には理由（コメント）の記入が必要です。",
    ),
    (
        r"target_step must be a stage from 0 to (?P<n>\d+).*",
        lambda m: f"再開位置は第1段から第{int(m['n']) + 1}段の間で選んでください。",
    ),
    (
        r"too late to recall \(引戻し\): the next approver has already acted",
        "次の承認者がすでに処理したため、引戻しできません。",
    ),
    (
        r"only the drafter or the approver who acted last may recall \(引戻し\)",
        "引戻しは起案者か直前に処理した承認者だけが行えます。",
    ),
    (
        r"only the decision stage \(決裁\) can reject; earlier approvers send back",
        "却下は決裁段階だけが行えます。それより前の段階では差戻ししてください。",
    ),
    (r"only the decider may reject \(却下\) the document", "却下は決裁者だけが行えます。"),
    (r"only an approver later in the route may pull up \(引上げ承認\)", "引上げ承認は経路の後の承認者だけが行えます。"),
    (
        r"代決 needs on_behalf_of: the absent decider you act for",
        "代決には、代わりに決裁する不在の決裁者の指定が必要です。",
    ),
    (
        r"代決 is for the decision stage, on behalf of its decider \(on_behalf_of\)",
        "代決は決裁段階で、その決裁者に代わって行うものです。",
    ),
    (r"you owe no post-review \(後閲\) on this document", "この文書に未了の後閲はありません。"),
    (r"only the drafter and those on the route may comment", "意見を記入できるのは起案者と経路上の職員だけです。"),
    (r"resubmitted version is older than the one sent back", "再提出する版が差し戻された版より古くなっています。"),
    (r"only a document in routing can be rerouted", "回議中の文書だけが経路変更できます。"),
    # the services
    (r"no document (?P<id>\S+)", "文書 {id} は見つかりません。"),
    (r"document (?P<id>\S+) has no attachment (?P<n>\d+)", "この文書に添付ファイル {n} はありません。"),
    (
        r"(?:attachments are|request bodies here are) limited to (?P<n>\d+) bytes",
        lambda m: f"ファイルが大きすぎます。添付ファイルは{size_label(int(m['n']))}までです。",
    ),
    (r"the file is empty", "ファイルが空です（0 バイト）。内容のあるファイルを選んでください。"),
    (r"the file needs a name", "ファイル名がありません。ファイルを選んでください。"),
    (
        r"file: names are limited to (?P<n>\d+) bytes in UTF-8 \(about 85 kanji\)",
        "ファイル名が長すぎます（漢字でおよそ85文字まで）。名前を短くしてください。",
    ),
    (
        r"the file name must not contain path separators \(/ \\\) or control characters \(e\.g\. NUL\)",
        "ファイル名に使えない文字（/ \\ や制御文字）が含まれています。",
    ),
    (r"a (?P<status>\w+) document takes no more attachments", lambda m: f"{_status(m)}の文書には添付できません。"),
    (
        r"only the drafter may attach files \(the drafter's division too while the document is a draft or sent back\)",
        "添付できるのは起案者（起案中・差戻し中は起案者の課の職員も）だけです。",
    ),
    (
        r"attachments cannot be deleted or replaced once anyone has approved the document;"
        r" add a corrected file as a new attachment instead",
        "承認が始まった文書の添付ファイルは削除・差替えできません。訂正したファイルを新たに添付してください。",
    ),
    (
        r"attachments of a (?P<status>\w+) document cannot be deleted",
        lambda m: f"{_status(m)}の文書の添付ファイルは削除できません。",
    ),
    (
        r"only the drafter or the drafter's division may delete an attachment",
        "添付ファイルを削除できるのは起案者と起案者の課の職員だけです。",
    ),
    (r"choose a file to attach", "添付するファイルを選んでください。"),
    (r"the document has not been submitted yet", "この文書はまだ提出されていません。"),
    (r"the document has already been submitted and closed", "この文書はすでに提出され、処理が終わっています。"),
    (
        r"a (?P<status>\w+) document cannot be edited; it must be sent back or recalled first",
        lambda m: f"{_status(m)}の文書は修正できません。差戻しか引戻しのあとで修正してください。",
    ),
    (r"only the drafter may edit the document", "文書を修正できるのは起案者だけです。"),
    (
        r"only the drafter \(or the 庶務担当 who drafted it for them\) may (?P<what>submit|resubmit) the document",
        lambda m: (
            f"{'提出' if m['what'] == 'submit' else '再提出'}できるのは起案者（代理申請では申請した庶務担当）だけです。"
        ),
    ),
    (r"you hold no post today, so you cannot draft a document", "本日の時点で職の発令がないため、起案できません。"),
    (
        r"no route can be resolved for this document: (?P<why>.+)",
        lambda m: f"この文書の回議経路を決められません：{japanese(m['why'])}",
    ),
    (r"no rulebook version is in force on (?P<day>\S+).*", "{day} に適用される決裁規程がありません。"),
    (r"a (?P<matter>\w+) document has no category", "この事案には決裁区分はありません。"),
    (r"category: (?P<why>.+)", lambda m: f"決裁区分：{japanese(m['why'])}"),
    (
        r"retention_years must be one of (?P<allowed>.+?) \(0 = 1年未満\).*",
        "保存期間は {allowed} 年のいずれかにしてください（0 は1年未満）。",
    ),
    (r"consult_quorum cannot exceed the number of consult_units", "合議の定足数が合議先の数を超えています。"),
    # 簿冊 (filing at drafting and registration; domain/filing.py)
    (r"there is no file (?P<id>.+)", "その簿冊は見つかりません。一覧から選んでください。"),
    (r"it cannot go into this file: (?P<why>.+)", lambda m: f"この簿冊には整理できません：{japanese(m['why'])}"),
    (
        r"a document of (?P<own>\S+) is filed in that section's own files, not in a file of (?P<other>\S+)",
        "{own} の文書は自課の簿冊に整理します（{other} の簿冊には整理できません）。",
    ),
    (r"the document is of 年度 (?P<doc>\d+)", "文書は{doc}年度のもの"),  # "…; the file is of 年度 N": two parts
    (r"the file is of 年度 (?P<file>\d+)", "簿冊は{file}年度のものです。"),
    (r"the file has been (?P<status>\w+)", "この簿冊はすでに廃棄または移管されています。"),
    (
        r"the file's 年度 (?P<year>\d+) is closed: its retention started on (?P<day>\S+)",
        "{year}年度の簿冊は締め切られています（{day} から保存期間が始まっています）。",
    ),
    # 文書分類表 and 課独自の分類 (domain/classification.py, rules/classification.py, api/services/classification.py)
    (
        r"the (?P<what>classification table was|additions were) not stored: (?P<first>.+?)"
        r"(?: \(and (?P<n>\d+) more\))?",
        lambda m: (
            f"{'文書分類表' if m['what'].startswith('classification') else '課独自の分類'}は保存されませんでした"
            f"（{'ほか' + m['n'] + '件の誤りがあります。' if m['n'] else ''}何も保存していません）："
            f"{_problem(m['first'])}"
        ),
    ),
    (
        r"duplicate code '(?P<code>.+)' \(first at (?P<first>.+)\)",
        lambda m: f"分類コード {m['code']} が重複しています（最初は{_row(m['first'])}）。",
    ),
    (r"a class needs a code", "分類コードがありません。"),
    (r"a class needs a name", "分類名がありません。"),
    (
        r"its parent '(?P<code>.+)' is not in the table \(a child without its parent\)",
        "親分類 {code} が表にありません。",
    ),
    (r"its parents run in a circle", "親子関係が循環しています。"),
    (r"more than \d+ levels .*", "階層が3段（大分類＞中分類＞小分類）を超えています。"),
    (r"a leaf class \(小分類\) needs its 保存期間", "小分類には保存期間が必要です。"),
    (
        r"a leaf class \(小分類\) needs its disposition at expiry .*",
        "小分類には満了時の措置（移管または廃棄）が必要です。",
    ),
    (
        r"保存期間 and 満了時の措置 belong to the leaf classes, not to a class with children",
        "保存期間と満了時の措置は小分類に付けます（下位の分類がある分類には付けません）。",
    ),
    (r"永年 and a number of years at once", "永年と年数が同時に指定されています。"),
    (r"the table has no classes", "分類がひとつもありません。"),
    (r"'(?P<code>.+)' is a class of the common table already", "分類 {code} は共通分類にすでにあります。"),
    (
        r"its parent '(?P<code>.+)' is a leaf of the common table: .*",
        "親分類 {code} は共通分類の小分類です。追加は大分類か中分類の下に行います。",
    ),
    (
        r"保存期間 '(?P<v>.*)' is not a retention class.*",
        "保存期間「{v}」は保存期間の区分ではありません（例：1年未満、1、3、5、10、30、永年）。",
    ),
    (r"満了時の措置 '(?P<v>.*)' is neither 移管 nor 廃棄", "満了時の措置「{v}」は移管・廃棄のどちらでもありません。"),
    (r"起算 '(?P<v>.*)' is neither 年度 nor 暦年", "起算「{v}」は年度・暦年のどちらでもありません。"),
    (r"the CSV is neither UTF-8 nor Shift_JIS", "CSVの文字コードがUTF-8でもShift_JISでもありません。"),
    (r"the row names no class code", "この行には分類コードがありません。"),
    (
        r"named '(?P<a>.+)' here but '(?P<b>.+)' at (?P<row>.+)",
        lambda m: f"ここでは「{m['a']}」、{_row(m['row'])}では「{m['b']}」と分類名が食い違っています。",
    ),
    (r"the header names no 大分類コード .*", "見出し行に大分類コードの列がありません。"),
    (r"not valid YAML/JSON: .*", "YAML・JSONとして読めません。ファイルの形式を確かめてください。"),
    (r"a table is a mapping .*", "表の形式が正しくありません（年度・分類などを持つ形にしてください）。"),
    (
        r"files of (?P<unit>\S+) in 年度 (?P<year>\d+) are kept under (?P<code>\S+), a leaf .*",
        "{unit} の{year}年度の簿冊が分類 {code} の下にあります。この分類を外すことはできません。",
    ),
    (
        r"files of 年度 (?P<year>\d+) \((?P<unit>\S+)\) are kept under (?P<code>\S+), a leaf .*",
        "{year}年度の簿冊（{unit}）が分類 {code} の下にあります。この分類を外すことはできません。",
    ),
    (
        r"classification version '(?P<id>.+)' exists already with other content",
        "版 {id} は別の内容ですでに読み込まれています（版は変更できません。別の名前で読み込んでください）。",
    ),
    (r"a version id is 1–40 letters.*", "版の名前は英数字と . _ - の1〜40文字にしてください。"),
    (
        r"no 共通分類 is loaded for 年度 (?P<year>\d+).*",
        "{year}年度の共通分類がまだ読み込まれていません。先に共通分類を読み込んでください。",
    ),
    (r"there is no org unit '(?P<unit>.+)'", "所属 {unit} はありません。"),
    (r"only the records office \(文書担当\) may do this", "この操作は文書担当（文書主管課）だけが行えます。"),
    # the engine and the systems it depends on
    (
        r"the approval engine did not answer in time; retry with the same Idempotency-Key",
        "決裁の処理が時間内に終わりませんでした。もう一度同じボタンを押してください（二重には処理されません）。",
    ),
    (
        r"the finance system \(財務会計\) is not answering; retry later",
        "財務会計システムが応答しません。しばらくしてからやり直してください。",
    ),
    (
        r"the HR system \(人事給与\) is not answering; retry later",
        "人事給与システムが応答しません。しばらくしてからやり直してください。",
    ),
    (
        r"a system the approval depends on \(HR\) is not answering; retry later",
        "決裁に必要なシステム（人事給与）が応答しません。しばらくしてからやり直してください。",
    ),
    # 財務会計 (the budget at submit)
    (
        r"(?P<want>[\d,]+) yen requested, (?P<have>[\d,]+) yen available on (?P<code>\S+) \((?P<year>\d+)\)"
        r"(?: \(available: [\d,]+ yen\))?",
        lambda m: (
            f"予算が不足しています：予算科目 {m['code']}（{m['year']}年度）の執行可能額は{_yen(m['have'])}、"
            f"要求額は{_yen(m['want'])}です。"
        ),
    ),
    (
        r"(?P<why>.+) \(available: (?P<have>[\d,]+) yen\)",
        lambda m: f"予算が不足しています（執行可能額 {_yen(m['have'])}）：{japanese(m['why'])}",
    ),
    (r"no budget line (?P<code>\S+) in fiscal year (?P<year>\d+)", "予算科目 {code}（{year}年度）はありません。"),
    (r"fiscal year (?P<year>\d+) is closed", "{year}年度は締め切られています。"),
    # 施行 and the records office (api/services/records.py, disposal.py, domain/records.py)
    (
        r"only the drafter or the drafting division may issue \(施行\) the document",
        "施行できるのは起案者と起案した課の職員だけです。",
    ),
    (
        r"issuance \(施行\) comes after the decision; the document is (?:a )?(?P<status>\w+)",
        lambda m: f"施行は決裁の後に行います（文書はいま{_status(m)}です）。",
    ),
    (r"the document has already been issued \(施行済\)", "この文書はすでに施行済みです。"),
    (r"this document does not need issuance \(施行不要\)", "この文書は施行を要しません（施行不要）。"),
    (r"the document .+; it cannot be issued now", "この文書はいま施行できません（施行済みか、完結しています）。"),
    (
        r"seal: unknown 公印 (?P<name>.+); the city keeps (?P<seals>.+)",
        "公印 {name} はありません（あるのは {seals}）。",
    ),
    (r"name a seal, or set seal_omitted \(公印省略\).*", "公印を選ぶか、公印省略を選んでください。"),
    (r"from must not be after to", "開始日が終了日より後になっています。"),
    (r"there is no disposal review (?P<id>\S+)", "審査 {id} は見つかりません。"),
    (
        r"the review is (?P<status>\w+)[:;] (?:its items are frozen|it cannot be submitted)",
        lambda m: f"審査は{_REVIEW.get(m['status'], m['status'])}のため、変更や提出はできません。",
    ),
    (r"document (?P<id>\S+) is not listed in this review", "文書 {id} はこの審査の対象ではありません。"),
    (r"file (?P<id>\S+) is not listed in this review", "簿冊 {id} はこの審査の対象ではありません。"),
    (r"document \S+ is listed with its file .*", "この文書は簿冊ごとに審査します。簿冊の措置を入力してください。"),
    (
        r"the review lists no documents: there is nothing to decide",
        "この審査には対象の文書がないため、提出するものがありません。",
    ),
    (
        r"(?P<n>\d+) documents have no proposal yet \(first: \S+\)",
        "措置が未入力の文書が {n} 件あります。すべて入力してから提出してください。",
    ),
    (
        r"you hold no post today, so you cannot draft the review",
        "本日の時点で職の発令がないため、審査を起案できません。",
    ),
    (
        r"the document is kept permanently \(永年\); there is nothing to extend",
        "この文書は永年保存のため、延長するものはありません。",
    ),
    (
        r"retention starts at completion \(完結\); the document is not complete yet",
        "保存期間は完結の時から数えます。この文書はまだ完結していません。",
    ),
    (
        r"the document has been (?P<what>\w+); its retention cannot be extended",
        "この文書はすでに廃棄または移管されたため、保存期間を延長できません。",
    ),
    (r"an extension \(延長\) names how many years", "延長には年数の入力が必要です。"),
    (r"an extension \(延長\) needs a reason", "延長には理由の入力が必要です。"),
    (r"only an extension \(延長\) takes years", "年数は延長のときだけ入力します。"),
    # 個人設定 (notification preferences, the second factor, sessions, absences)
    (r"each channel may be named once", "通知の送り先が重複しています。"),
    (r"the email channel needs an email address", "メールで通知するには、メールアドレスを入力してください。"),
    (r"the chat channel needs a chat_user_id", "チャットで通知するには、チャットのIDを入力してください。"),
    (r"quiet hours must not start and end at the same time", "通知を控える時間帯の開始と終了が同じです。"),
    (
        r"the second factor can only be enrolled from the office network",
        "二要素認証の登録は庁内ネットワークからだけ行えます。",
    ),
    (
        r"the code does not match the enrolment: check the app's clock and try again",
        "コードが一致しません。アプリの時刻が正しいか確かめて、もう一度入力してください。",
    ),
    (r"no enrolment is pending: .*", "登録が始まっていません。「登録を始める」から、やり直してください。"),
    (r"no session of yours has this id", "そのセッションは見つかりません（すでに終了しています）。"),
    (
        r"you may register absences only for yourself.*",
        "不在を登録できるのは本人、同じ課の庶務担当（係長以上）、人事担当、管理者だけです。",
    ),
    (r"end is before start", "終了日が開始日より前になっています。"),
    # 庶務 requests' own checks (schemas/general_affairs.py)
    (
        r"days \((?P<days>[\d.]+)\) exceed the (?P<span>\d+) day\(s\) from start to end",
        "日数（{days}）が開始日から終了日までの {span} 日を超えています。",
    ),
    (
        r"hours \((?P<hours>[\d.]+)\) exceed the (?P<span>[\d.]+) hours from start_time to end_time",
        "時間数（{hours}）が開始から終了までの {span} 時間を超えています。",
    ),
    (r"end_time equals start_time", "終了時刻が開始時刻と同じです。"),
    (
        r"hours \(時間単位\) are for an annual leave.*",
        "時間単位は年次有給休暇の1日（開始日＝終了日、1日以内）に限ります。",
    ),
    (r"no absence (?P<id>\d+)", "不在の登録 {id} は見つかりません。"),
    # the administrators' services (rules, 人事異動, accounts, lockouts, second factor)
    (r"only (?:an administrator|administrators) may .+", "この操作はシステム管理者だけが行えます。"),
    (r"no rulebook version '(?P<id>[^']*)'", "決裁規程の版 {id} はありません。"),
    (
        r"a rulebook version with 適用日 (?P<day>\S+) exists already",
        "適用日 {day} の版はすでに登録されています。別の適用日にしてください。",
    ),
    (r"the rulebook was not stored: (?P<why>.+)", lambda m: f"決裁規程は登録されませんでした：{m['why']}"),
    (
        r"choose a file or paste the rulebook \(YAML or JSON\)",
        "ファイルを選ぶか、決裁規程（YAML または JSON）を貼り付けてください。",
    ),
    (
        r"choose a file or paste the transfer \(JSON.*\)",
        "ファイルを選ぶか、人事異動（JSON）を貼り付けてください。",
    ),
    (r"the file is larger than (?P<mb>\d+) MB", "ファイルが大きすぎます（{mb}MBまで）。"),
    (r"not valid JSON: .*", "JSON として読めません。形式を確かめてください。"),
    (
        r"line (?P<n>\d+): write 終了 or 発令, the staff id, the org unit code and the post code",
        "{n}行目：「終了」か「発令」、職員番号、所属コード、職コードの4つを書いてください。",
    ),
    (
        r"effective_on (?P<day>\S+) is in the past \(today is (?P<today>\S+)\)",
        "異動日 {day} は過去の日付です（本日は {today}）。",
    ),
    (
        r"(?P<where>(?:end|start|leavers)\[\d+\]): (?P<who>\S+) does not hold (?P<post>\S+) in (?P<unit>\S+)"
        r" on (?P<day>\S+)",
        lambda m: (
            f"{_transfer_row(m['where'])}：{m['who']} は {m['day']} に {m['unit']} の {m['post']} に就いていません。"
        ),
    ),
    (
        r"(?P<where>(?:end|start|leavers)\[\d+\]): (?P<who>\S+) already holds (?P<post>\S+) in (?P<unit>\S+)",
        lambda m: f"{_transfer_row(m['where'])}：{m['who']} はすでに {m['unit']} の {m['post']} に就いています。",
    ),
    (
        r"(?P<where>\w+\[\d+\]): unknown staff '(?P<who>[^']*)'",
        lambda m: f"{_transfer_row(m['where'])}：職員 {m['who']} は登録されていません。",
    ),
    (
        r"(?P<where>\w+\[\d+\]): unknown org unit '(?P<unit>[^']*)'",
        lambda m: f"{_transfer_row(m['where'])}：所属コード {m['unit']} はありません。",
    ),
    (
        r"(?P<where>\w+\[\d+\]): unknown post '(?P<post>[^']*)'",
        lambda m: f"{_transfer_row(m['where'])}：職コード {m['post']} はありません。",
    ),
    (
        r"(?P<post>\S+) in (?P<unit>\S+) is abolished but (?P<who>\S+) still holds it: add them to end",
        "{unit} の {post} は廃止されますが、{who} がまだ就いています。終了に加えてください。",
    ),
    # 決裁規程 uploads (domain/rulebook/validate.py, rules/loader.py): one row's problem each
    (
        r"overlaps row (?P<n>\d+) \((?P<cited>.*)\)",
        lambda m: f"{int(m['n']) + 1}行目（{m['cited']}）と金額などの範囲が重なっています。",
    ),
    (r"gap: no band covers (?P<low>\d+) up to (?P<high>\d+)", "{low}以上{high}未満を定める行がありません。"),
    (r"gap: no band covers (?P<low>\d+) and above", "{low}以上を定める行がありません。"),
    (r"negative amount: 以上 and 未満 are >= 0", "以上・未満に負の数は使えません。"),
    (r"empty band: 未満 (?P<b>\d+) is not above 以上 (?P<a>\d+)", "未満（{b}）が以上（{a}）より大きくありません。"),
    (r"unknown post code '(?P<post>[^']*)'", "職コード {post} はありません。"),
    (r"unknown org unit '(?P<unit>[^']*)'", "所属コード {unit} はありません。"),
    (
        r"unknown level '(?P<level>[^']*)'.*",
        "決裁者の職 {level} は定められていません（manager・director・deputy_mayor・mayor）。",
    ),
    (r"unknown matter '(?P<matter>[^']*)'.*", "事案 {matter} はありません。"),
    (r"no bands for (?P<what>.+)", "{what} の区分を定める行がありません。"),
    (
        r"(?P<day>\d{4}-\d{2}-\d{2}) is not after today \((?P<today>\S+)\).*",
        "適用日 {day} は本日（{today}）より後の日にしてください（新しい版は翌日以降から適用されます）。",
    ),
    (r"a rulebook is a mapping .*", "決裁規程は「適用日」「authority」などの項目を持つ形式で書いてください。"),
    (r"no transfer (?P<id>\S+)", "人事異動 {id} はありません。"),
    (r"HR refused the transfer: (?P<why>.+)", "人事給与システムが異動を受け付けませんでした：{why}"),
    (
        r"the HR system \(人事給与\) is not answering; retry the apply",
        "人事給与システムが応答しません。しばらくしてからもう一度適用してください（二重には適用されません）。",
    ),
    (r"no staff member (?P<id>\S+)", "職員 {id} は登録されていません。"),
    (
        r"(?P<id>\S+) is deactivated: reactivate the account before resetting its password",
        "{id} のアカウントは無効です。再び有効にしてからパスワードを再設定してください。",
    ),
    (
        r"you may not deactivate your own account \(another administrator may\)",
        "自分のアカウントは無効にできません（ほかの管理者が行えます）。",
    ),
    (r"(?P<id>\S+) has no failed sign-ins on record", "{id} にはサインインの失敗の記録がありません。"),
    (r"(?P<id>\S+) has no second factor enrolled", "{id} は二要素認証を登録していません。"),
    # sign-in limits (domain/throttle.py)
    (
        r"too many failed attempts from this address: retry in (?P<s>\d+) s",
        "この端末からのサインインの失敗が続いたため、しばらく受け付けません。{s}秒後にやり直してください。",
    ),
    (
        r"too many failed sign-ins for this staff id: locked until \S+ \(retry in (?P<s>\d+) s\)",
        "サインインの失敗が続いたため、この職員番号は一時的にロックされています。{s}秒後にやり直してください。",
    ),
    # the web's own
    (r"an Idempotency-Key header .*", "操作の識別子がありません。ページを読み込み直してからやり直してください。"),
)

_COMPILED: Sequence[_Rule] = tuple((re.compile(pattern, re.S), to) for pattern, to in _RULES)

#: pydantic v2 error types -> Japanese (``ctx`` fields in braces).
PYDANTIC = {
    "missing": "入力してください。",
    "string_too_short": "{min_length}文字以上で入力してください。",
    "string_too_long": "{max_length}文字以内で入力してください。",
    "string_type": "文字で入力してください。",
    "string_pattern_mismatch": "形式が正しくありません。",
    "int_parsing": "半角数字（整数）で入力してください。",
    "int_type": "半角数字（整数）で入力してください。",
    "int_from_float": "整数で入力してください。",
    "greater_than": "{gt}より大きい値にしてください。",
    "greater_than_equal": "{ge}以上にしてください。",
    "less_than": "{lt}より小さい値にしてください。",
    "less_than_equal": "{le}以下にしてください。",
    "literal_error": "選択肢から選んでください。",
    "enum": "選択肢から選んでください。",
    "bool_parsing": "はい・いいえで選んでください。",
    "date_from_datetime_parsing": "日付（YYYY-MM-DD）で入力してください。",
    "date_parsing": "日付（YYYY-MM-DD）で入力してください。",
    "extra_forbidden": "この項目は指定できません。",
    "too_long": "多すぎます（{max_length}件まで）。",
    "float_parsing": "半角数字で入力してください。",
    "float_type": "半角数字で入力してください。",
    "multiple_of": "{multiple_of}単位で入力してください。",
    "time_parsing": "時刻（HH:MM）で入力してください。",
}


def japanese(reason: str) -> str:
    """The reason in Japanese; an unknown reason (or part) as it came."""
    whole = _rule(reason.strip())  # a reason whose own words hold "; " (the catalogue knows it whole)
    if whole is not None:
        return whole
    parts = [part.strip() for part in reason.split("; ")] if "; " in reason else [reason.strip()]
    return "／".join(_one(part) for part in parts)


def _rule(reason: str) -> str | None:
    for pattern, to in _COMPILED:
        match = pattern.fullmatch(reason)
        if match is not None:
            return to(match) if callable(to) else str(to).format(**match.groupdict())
    return None


def _one(reason: str) -> str:
    known = _rule(reason)
    if known is not None:
        return known
    field, sep, rest = reason.partition(": ")
    if sep and field in FIELD:  # "amount_yen: …" -> "金額：…"
        return f"{FIELD[field]}：{_one(rest)}"
    if reason.startswith("Value error, "):  # a model validator's own message
        return _one(reason.removeprefix("Value error, "))
    return reason


def validation_message(errors: Sequence[Mapping[str, Any]]) -> str:
    """pydantic's ``errors()`` as one Japanese line: 「金額：半角数字（整数）で入力してください。」 per field."""
    problems = []
    for error in errors:
        loc = [str(p) for p in error.get("loc", ()) if not isinstance(p, int)]
        name = _field(loc[0]) if loc else ""
        text = _pydantic(error)
        problems.append(f"{name}：{text}" if name else text)
    return "／".join(problems)


def field_message(error: Mapping[str, Any]) -> str:
    """One pydantic error in Japanese, without its field's name (a form shows it beside the field); an empty field
    (sent as None) reads 「入力してください。」 whatever type it should have had."""
    kind, ctx_in = str(error.get("type", "")), error.get("ctx") or {}
    if (error.get("input", "") is None and kind.endswith("_type")) or (
        kind == "string_too_short" and ctx_in.get("min_length") == 1
    ):
        return PYDANTIC["missing"]
    ctx = {k: f"{v:g}" if isinstance(v, float) else v for k, v in (error.get("ctx") or {}).items()}
    return _pydantic({**error, "ctx": ctx})


def _pydantic(error: Mapping[str, Any]) -> str:
    template = PYDANTIC.get(str(error.get("type", "")))
    if template is None:
        return japanese(str(error.get("msg", "")))
    try:
        return template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError):
        return japanese(str(error.get("msg", "")))
