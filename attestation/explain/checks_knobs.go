package explain

// knobChecks explain the checks of the request knobs (--client-payload, --pcr): what the
// token and the quote must show of what the user chose.
func knobChecks() map[string]Entry {
	return map[string]Entry{
		"jwt.client-payload": eh(
			"MAA echoes every ClientPayload entry, still b64, in x-ms-runtime.client-payload: the token must hold exactly the keys sent, each with the b64 of its value.",
			"MAA는 ClientPayload의 모든 항목을 b64 그대로 x-ms-runtime.client-payload에 돌려줍니다. 토큰에는 보낸 키만, 각 값의 b64와 함께 있어야 합니다.",
			"A missing or changed entry means the token answers another request: send the request again and compare the Build request pane with the token's x-ms-runtime.",
			"항목이 없거나 바뀌었으면 토큰이 다른 요청에 대한 답입니다. 요청을 다시 보내고 요청 만들기 화면과 토큰의 x-ms-runtime을 비교합니다."),
		"tpm.quote.selection": eh(
			"The TPM quote's PCR selection (TPMS_ATTEST) is exactly the set chosen with --pcr, in the SHA-256 bank.",
			"TPM 쿼트의 PCR 선택(TPMS_ATTEST)이 --pcr로 고른 집합과 정확히 같습니다(SHA-256 뱅크).",
			"A different selection means the TPM or a layer in between quoted other PCRs; check --pcr and the TPM's allocated banks (tpm2_getcap pcrs).",
			"선택이 다르면 TPM이나 중간 계층이 다른 PCR을 쿼트한 것입니다. --pcr과 TPM에 할당된 뱅크(tpm2_getcap pcrs)를 확인합니다."),
		"jwt.attested-pcrs": eh(
			"MAA lists the PCRs it attested in x-ms-azurevm-attested-pcrs; each must be one chosen with --pcr (MAA may leave some out, as it does PCR 14 for Windows).",
			"MAA는 증명한 PCR을 x-ms-azurevm-attested-pcrs에 적습니다. 모두 --pcr로 고른 PCR이어야 합니다(Windows의 PCR 14처럼 MAA가 일부를 뺄 수는 있습니다).",
			"A PCR outside the selection means the token does not answer this quote; attest again and compare.",
			"선택 밖의 PCR이 있으면 토큰이 이 쿼트에 대한 답이 아닙니다. 다시 증명하고 비교합니다."),
		"eventlog.banks-replay": eh(
			"The event log, replayed in each bank it carries besides SHA-256 (SHA-1, SHA-384), gives the values the TPM reports for that bank. Only the SHA-256 bank is quoted for MAA, so these values are read, not signed.",
			"이벤트 로그를 SHA-256 외에 담고 있는 각 뱅크(SHA-1, SHA-384)에서 재생한 값이 TPM이 그 뱅크에 대해 알려 준 값과 같습니다. MAA용으로는 SHA-256 뱅크만 쿼트하므로 이 값들은 서명된 값이 아니라 읽은 값입니다.",
			"A difference means the firmware extended that bank without logging it the same way (or something extended a PCR after boot); compare the event with tpm2_eventlog and tpm2_pcrread of that bank.",
			"차이가 있으면 펌웨어가 그 뱅크를 로그와 다르게 확장했거나 부팅 뒤에 무언가 PCR을 확장한 것입니다. tpm2_eventlog와 그 뱅크의 tpm2_pcrread로 이벤트를 비교합니다."),
	}
}
