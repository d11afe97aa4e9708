package claims

// SGX enclave tokens are not Azure VM tokens, but MAA issues them from the same providers
// and the real sample token is one, so cvmscope explains them rather than showing unknowns.

func collateralHash(name, what, whatKO string) Entry {
	return info(name, "SHA-256 of the "+what+" MAA used to verify the SGX quote.",
		"MAA가 SGX 쿼트 검증에 사용한 "+whatKO+"의 SHA-256 해시입니다.")
}

func sgxEntries() []Entry {
	return []Entry{
		entry("x-ms-sgx-is-debuggable",
			"Whether the SGX enclave was launched in debug mode.",
			"false",
			"A debug enclave's memory can be read from outside: SGX guarantees do not hold. Use only in development.",
			"SGX 엔클레이브가 디버그 모드로 시작되었는지 여부입니다.",
			"false",
			"디버그 엔클레이브는 외부에서 메모리를 읽을 수 있어 SGX의 보안 보장이 유지되지 않습니다. 개발 용도로만 씁니다."),
		pinnable("x-ms-sgx-product-id", "Product id the enclave author assigned (ISV ProdID).",
			"엔클레이브 작성자가 부여한 제품 ID(ISV ProdID)입니다."),
		pinnable("x-ms-sgx-mrsigner", "MRSIGNER: hash of the public key that signed the enclave (its author).",
			"MRSIGNER: 엔클레이브에 서명한 공개 키(작성자)의 해시입니다."),
		pinnable("x-ms-sgx-mrenclave", "MRENCLAVE: measurement of the enclave's code and initial data.",
			"MRENCLAVE: 엔클레이브 코드와 초기 데이터의 측정값입니다."),
		pinnable("x-ms-sgx-svn", "Security version number of the enclave (ISV SVN).",
			"엔클레이브의 보안 버전(ISV SVN)입니다."),
		info("x-ms-sgx-ehd", "Enclave held data: the runtime data sent with the quote, base64url-encoded; its hash is in the quote's report data.",
			"엔클레이브 보유 데이터로, 쿼트와 함께 보낸 런타임 데이터(base64url)이며 그 해시가 쿼트의 REPORTDATA에 들어 있습니다."),
		info("x-ms-sgx-collateral", "Hashes of the Intel collateral (TCB info, QE identity, CRLs, certificates) used to verify the quote.",
			"쿼트 검증에 사용한 Intel 담보 자료(TCB 정보, QE ID, CRL, 인증서)의 해시 묶음입니다."),
		info("x-ms-sgx-report-data", "REPORTDATA of the SGX quote (64 bytes, hex), usually a hash of the enclave held data followed by zeros.",
			"SGX 쿼트의 REPORTDATA(64바이트, 16진수)로, 보통 엔클레이브 보유 데이터의 해시 뒤에 0이 붙은 값입니다."),
		info("x-ms-sgx-tcbidentifier", "Identifier of the TCB evaluation MAA applied to the platform.",
			"MAA가 플랫폼에 적용한 TCB 평가의 식별자입니다."),
		pinnable("x-ms-sgx-config-id", "CONFIGID the enclave was loaded with (SGX2 key separation and sharing).",
			"엔클레이브 로드 시 지정된 CONFIGID(SGX2 키 분리 및 공유 기능)입니다."),
		pinnable("x-ms-sgx-config-svn", "CONFIGSVN the enclave was loaded with (SGX2).",
			"엔클레이브 로드 시 지정된 CONFIGSVN(SGX2)입니다."),
		pinnable("x-ms-sgx-isv-extended-product-id", "Extended product id of the enclave (SGX2).",
			"엔클레이브의 확장 제품 ID(SGX2)입니다."),
		pinnable("x-ms-sgx-isv-family-id", "Family id of the enclave (SGX2).",
			"엔클레이브의 패밀리 ID(SGX2)입니다."),
		entry("tee",
			"Deprecated: the TEE type of an enclave token (sgx, optee...).",
			"sgx for an SGX enclave token",
			"Not an Azure VM claim; an Azure VM token uses x-ms-attestation-type instead.",
			"사용 중단됨: 엔클레이브 토큰의 TEE 유형입니다(\"sgx\", \"optee\" 등).",
			"SGX 엔클레이브 토큰이면 \"sgx\"",
			"Azure VM 클레임이 아닙니다. Azure VM 토큰은 x-ms-attestation-type을 사용합니다."),
		collateralHash("qeidcertshash", "certificate chain of the QE identity", "QE ID 인증서 체인"),
		collateralHash("qeidcrlhash", "CRL for the QE identity chain", "QE ID 체인의 CRL"),
		collateralHash("qeidhash", "Quoting Enclave (QE) identity", "QE(Quoting Enclave) ID"),
		collateralHash("quotehash", "SGX quote itself", "SGX 쿼트 자체"),
		collateralHash("tcbinfocertshash", "certificate chain of the TCB info", "TCB 정보 인증서 체인"),
		collateralHash("tcbinfocrlhash", "CRL for the TCB info chain", "TCB 정보 체인의 CRL"),
		collateralHash("tcbinfohash", "Intel TCB info", "Intel TCB 정보"),
	}
}
