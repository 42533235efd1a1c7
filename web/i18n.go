package web

import "golang.org/x/text/language"

// Languages are the page's languages, the first the default.
var Languages = []string{"en", "ko"}

// LanguageNames names each language in itself, for the switch.
var LanguageNames = map[string]string{"en": "English", "ko": "한국어"}

// messages are the page's own words in each language (lessons bring
// their own). A test checks that every key exists in every language.
var messages = map[string]map[string]string{
	"en": {
		"tagline":          "Kubernetes 101, live",
		"home.lead":        "Learn how Kubernetes works by running a cluster in your browser: no install, no VM. Type kubectl, kill a node, watch the pods move.",
		"home.what":        "A simulated cluster that behaves like a real one — nodes, pods, containers, persistent volumes, deployments and ingress — drawn as the pictures you learn from, and changing as you work.",
		"home.sandbox":     "Open the sandbox",
		"home.lessons":     "Lessons",
		"home.nolessons":   "The lessons are on their way. Meanwhile the sandbox is open.",
		"home.sessions":    "Your recent clusters",
		"home.presets":     "Start the sandbox from",
		"home.minutes":     "min",
		"home.progress":    "steps done",
		"home.start":       "Start",
		"home.continue":    "Continue",
		"home.done":        "Done",
		"nav.home":         "podplay",
		"nav.theme":        "Switch light or dark theme",
		"nav.language":     "Language",
		"pg.guide":         "Sandbox",
		"pg.diagram":       "Cluster diagram",
		"pg.terminal":      "Terminal",
		"pg.editor":        "YAML",
		"pg.apply":         "Apply",
		"pg.events":        "Events",
		"pg.noevents":      "No events yet.",
		"pg.clock":         "Virtual clock",
		"pg.play":          "Play",
		"pg.pause":         "Pause",
		"pg.step":          "Step",
		"pg.speed":         "Speed",
		"pg.chaos":         "Chaos",
		"pg.addnode":       "Add node",
		"pg.killnode":      "Kill node",
		"pg.restorenode":   "Restore node",
		"pg.crash":         "Crash a container",
		"pg.traffic":       "Send traffic",
		"pg.close":         "Close",
		"pg.describe":      "Describe",
		"pg.yaml":          "YAML",
		"pg.owners":        "Owners",
		"pg.connecting":    "Connecting…",
		"pg.connected":     "Live",
		"pg.reconnecting":  "Reconnecting…",
		"pg.prompt":        "kubectl get pods   (Tab completes, ↑ recalls)",
		"pg.editorhint":    "Paste or write a manifest, then Apply (kubectl apply -f -).",
		"pg.notfound":      "There is no cluster at this address. It may have been deleted, or the link is mistyped.",
		"pg.time":          "Virtual time",
		"pg.paste":         "Put in the terminal",
		"pg.welcome":       "A simulated Kubernetes cluster. Type kubectl commands, or the playground's node, crash, curl and sleep. Tab completes; ↑ recalls.",
		"pg.cmds":          "Try: kubectl get nodes · kubectl create deployment web --image=nginx --replicas=3 · kubectl get pods -o wide · node kill node-1 · sleep 6m",
		"pg.guide.1":       "This is a cluster of three nodes, simulated in the server. Everything you do here is what Kubernetes does, with its own words.",
		"pg.guide.2":       "Type kubectl commands in the terminal, or write YAML and apply it. Click anything in the diagram to see it described.",
		"pg.guide.3":       "Time only moves when you let it: press Play, Step to the next thing that happens, or type sleep 30s.",
		"pg.guide.4":       "Break things: kill a node and watch its pods find a new home.",
		"err.title":        "Something went wrong",
		"err.back":         "Back to the start",
		"lesson.step":      "Step",
		"lesson.goals":     "Goals",
		"lesson.hint":      "Show a hint",
		"lesson.nohints":   "No more hints.",
		"lesson.done":      "Lesson complete",
		"lesson.learned":   "What you learnt",
		"lesson.next":      "Next lesson",
		"lesson.reset":     "Reset lesson",
		"lesson.happened":  "What happened",
		"lesson.of":        "of",
		"lesson.allgoals":  "All goals met",
		"lesson.progress":  "Progress",
		"lesson.sandboxof": "Sandbox",
	},
	"ko": {
		"tagline":          "쿠버네티스 101, 라이브",
		"home.lead":        "브라우저에서 클러스터를 직접 돌려 보며 쿠버네티스가 어떻게 움직이는지 배워 보세요. 설치도, VM도 필요 없습니다. kubectl을 입력하고, 노드를 죽이고, 파드가 옮겨 가는 모습을 지켜보세요.",
		"home.what":        "노드, 파드, 컨테이너, 퍼시스턴트 볼륨, 디플로이먼트, 인그레스까지 실제처럼 동작하는 시뮬레이션 클러스터입니다. 배울 때 보던 그림 그대로 그려지고, 여러분이 작업하는 대로 바뀝니다.",
		"home.sandbox":     "샌드박스 열기",
		"home.lessons":     "레슨",
		"home.nolessons":   "레슨을 준비하고 있습니다. 그동안 샌드박스를 써 보세요.",
		"home.sessions":    "최근에 쓴 클러스터",
		"home.presets":     "샌드박스 시작 상태",
		"home.minutes":     "분",
		"home.progress":    "단계 완료",
		"home.start":       "시작",
		"home.continue":    "이어서",
		"home.done":        "완료",
		"nav.home":         "podplay",
		"nav.theme":        "밝은 테마와 어두운 테마 바꾸기",
		"nav.language":     "언어",
		"pg.guide":         "샌드박스",
		"pg.diagram":       "클러스터 그림",
		"pg.terminal":      "터미널",
		"pg.editor":        "YAML",
		"pg.apply":         "적용",
		"pg.events":        "이벤트",
		"pg.noevents":      "아직 이벤트가 없습니다.",
		"pg.clock":         "가상 시계",
		"pg.play":          "재생",
		"pg.pause":         "일시정지",
		"pg.step":          "한 단계",
		"pg.speed":         "속도",
		"pg.chaos":         "장애 만들기",
		"pg.addnode":       "노드 추가",
		"pg.killnode":      "노드 죽이기",
		"pg.restorenode":   "노드 되살리기",
		"pg.crash":         "컨테이너 죽이기",
		"pg.traffic":       "트래픽 보내기",
		"pg.close":         "닫기",
		"pg.describe":      "Describe",
		"pg.yaml":          "YAML",
		"pg.owners":        "소유자",
		"pg.connecting":    "연결 중…",
		"pg.connected":     "연결됨",
		"pg.reconnecting":  "다시 연결 중…",
		"pg.prompt":        "kubectl get pods   (Tab 자동 완성, ↑ 이전 명령)",
		"pg.editorhint":    "매니페스트를 붙여 넣거나 작성한 뒤 적용을 누르세요 (kubectl apply -f -).",
		"pg.notfound":      "이 주소에는 클러스터가 없습니다. 삭제되었거나 링크가 잘못되었을 수 있습니다.",
		"pg.time":          "가상 시간",
		"pg.paste":         "터미널에 넣기",
		"pg.welcome":       "시뮬레이션된 쿠버네티스 클러스터입니다. kubectl 명령이나 놀이터 명령 node, crash, curl, sleep을 입력하세요. Tab으로 자동 완성, ↑로 이전 명령을 불러옵니다.",
		"pg.cmds":          "해 보기: kubectl get nodes · kubectl create deployment web --image=nginx --replicas=3 · kubectl get pods -o wide · node kill node-1 · sleep 6m",
		"pg.guide.1":       "서버 안에서 시뮬레이션되는 노드 세 개짜리 클러스터입니다. 여기서 일어나는 일은 쿠버네티스가 실제로 하는 일이고, 메시지도 쿠버네티스의 것 그대로입니다.",
		"pg.guide.2":       "터미널에 kubectl 명령을 입력하거나 YAML을 작성해 적용해 보세요. 그림에서 무엇이든 누르면 자세한 설명이 나옵니다.",
		"pg.guide.3":       "시간은 여러분이 허락할 때만 흐릅니다. 재생을 누르거나, 한 단계로 다음 일까지 건너뛰거나, sleep 30s를 입력하세요.",
		"pg.guide.4":       "망가뜨려 보세요. 노드를 죽이고 그 노드의 파드가 새 자리를 찾아가는 모습을 지켜보세요.",
		"err.title":        "문제가 생겼습니다",
		"err.back":         "처음으로 돌아가기",
		"lesson.step":      "단계",
		"lesson.goals":     "목표",
		"lesson.hint":      "힌트 보기",
		"lesson.nohints":   "더 이상 힌트가 없습니다.",
		"lesson.done":      "레슨 완료",
		"lesson.learned":   "배운 것",
		"lesson.next":      "다음 레슨",
		"lesson.reset":     "레슨 다시 시작",
		"lesson.happened":  "무슨 일이 있었나",
		"lesson.of":        "/",
		"lesson.allgoals":  "모든 목표 달성",
		"lesson.progress":  "진행 상황",
		"lesson.sandboxof": "샌드박스",
	},
}

// T returns the page's words for key in lang, falling back to English.
func T(lang, key string) string {
	if m, ok := messages[lang]; ok {
		if s, ok := m[key]; ok {
			return s
		}
	}
	if s, ok := messages["en"][key]; ok {
		return s
	}
	return key
}

var matcher = language.NewMatcher([]language.Tag{language.English, language.Korean})

// Lang picks the page's language: an explicit choice first (the switch's
// cookie or ?lang=), then the browser's Accept-Language, then English.
func Lang(choice, acceptLanguage string) string {
	if _, ok := messages[choice]; ok {
		return choice
	}
	tag, _ := language.MatchStrings(matcher, acceptLanguage)
	base, _ := tag.Base()
	if _, ok := messages[base.String()]; ok {
		return base.String()
	}
	return "en"
}
