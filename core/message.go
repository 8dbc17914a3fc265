package core

// MessageType is the code of a WAMP message, the first element of its list
// form.
type MessageType int

// The WAMP v2 message codes.
const (
	TypeHello        MessageType = 1
	TypeWelcome      MessageType = 2
	TypeAbort        MessageType = 3
	TypeChallenge    MessageType = 4
	TypeAuthenticate MessageType = 5
	TypeGoodbye      MessageType = 6
	TypeError        MessageType = 8
	TypePublish      MessageType = 16
	TypePublished    MessageType = 17
	TypeSubscribe    MessageType = 32
	TypeSubscribed   MessageType = 33
	TypeUnsubscribe  MessageType = 34
	TypeUnsubscribed MessageType = 35
	TypeEvent        MessageType = 36
	TypeCall         MessageType = 48
	TypeCancel       MessageType = 49
	TypeResult       MessageType = 50
	TypeRegister     MessageType = 64
	TypeRegistered   MessageType = 65
	TypeUnregister   MessageType = 66
	TypeUnregistered MessageType = 67
	TypeInvocation   MessageType = 68
	TypeInterrupt    MessageType = 69
	TypeYield        MessageType = 70
)

// Message is one WAMP message. Each message kind has its own type (*Hello,
// *Call, …); use a type switch to tell them apart.
type Message interface {
	// Type is the message code.
	Type() MessageType
	// List returns the generic list form [Type, …] in the value
	// representation of the package comment, validating the message first.
	List() ([]any, error)
}
